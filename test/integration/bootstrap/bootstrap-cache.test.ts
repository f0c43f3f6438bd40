/**
 * base/bootstrap-os against the real mirror: bookworm minbase with mmdebstrap into a temporary root,
 * twice with the same cache. The first run misses and fills the cache, the second is a cache hit
 * (times are logged, not asserted). Then the apt tasks refresh the package lists inside the tree with
 * the special mounts, and nothing stays mounted. As in a build, the tree's /var/cache/apt/archives is
 * the build's own archive on the host (base/mount-apt-archives) while the bootstrapper runs: nothing
 * downloaded is left in the tree, and the downloads end up in the cache. Needs root, mmdebstrap and
 * the Debian mirror.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { BuildState, ROOT_DIR, type TaskContext } from '../../../src/api/index.js';
import { bootstrapOs } from '../../../src/base/bootstrap/bootstrap-os.js';
import { mountsBelow } from '../../../src/base/bootstrap/mounts-below.js';
import {
  aptUpdate,
  mountAptArchives,
  unmountAptArchives,
  writeAptSources,
} from '../../../src/base/apt/index.js';
import { createNullLogger } from '../../../src/log/logger.js';
import { createHostRunner } from '../../../src/runner/index.js';
import { baseManifestData, testContext, testManifest } from '../../helpers/fake-context.js';

const isRoot = process.getuid?.() === 0;
const hasTool = spawnSync('mmdebstrap', ['--version']).status === 0;
const skip = !isRoot ? 'needs root' : !hasTool ? 'needs mmdebstrap (apt-get install mmdebstrap)' : false;

describe('bootstrap with the cache', { skip }, () => {
  let base = '';
  const controller = new AbortController();

  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'bootstrap-it-'));
  });
  after(async () => {
    controller.abort();
    // Unmount anything a failed assertion left behind before deleting the tree.
    for (const m of await mountsBelow(base)) spawnSync('umount', ['--lazy', m]);
    await rm(base, { recursive: true, force: true });
  });

  async function build(
    name: string,
    tool: 'mmdebstrap' | 'debootstrap' = 'mmdebstrap',
  ): Promise<{ ctx: TaskContext & { readonly logs: string[] }; root: string; seconds: number }> {
    const root = join(base, name);
    await mkdir(join(root, 'lost+found'), { recursive: true });
    const manifest = testManifest({
      ...baseManifestData,
      bootstrapper: { workspace: base, variant: 'minbase', cache_dir: join(base, 'cache'), tool },
    });
    const state = new BuildState();
    state.set(ROOT_DIR, root);
    const runner = createHostRunner({ log: createNullLogger(), signal: controller.signal });
    const workspace = join(base, `${name}-ws`);
    const ctx = { ...testContext({ manifest, state, taskId: bootstrapOs.id, workspace }), runner };
    const start = performance.now();
    await mountAptArchives.run(ctx);
    try {
      await bootstrapOs.run(ctx);
    } finally {
      await unmountAptArchives.run(ctx);
    }
    const seconds = (performance.now() - start) / 1000;
    const left = (await readdir(join(root, 'var/cache/apt/archives'))).filter((f) => f.endsWith('.deb'));
    assert.deepEqual(left, [], 'no downloaded package in the tree');
    return { ctx, root, seconds };
  }

  it('misses, then hits, and both trees are Debian bookworm', async (t) => {
    const first = await build('first');
    t.diagnostic(`first build (cache miss, mmdebstrap): ${first.seconds.toFixed(1)} s`);
    assert.match(await readFile(join(first.root, 'etc/debian_version'), 'utf8'), /^12\./);
    const entries = await readdir(join(base, 'cache', 'bootstrap'));
    assert.equal(entries.filter((e) => e.endsWith('.tar')).length, 1, entries.join(' '));
    assert.ok(!entries.some((e) => e.includes('.partial-') || e.endsWith('.lock')), entries.join(' '));
    const debs = await readdir(join(base, 'cache', 'archives'));
    assert.ok(debs.filter((d) => d.endsWith('.deb')).length > 50, `${debs.length} cached .debs`);

    const second = await build('second');
    t.diagnostic(`second build (cache hit, tar extract): ${second.seconds.toFixed(1)} s`);
    assert.ok(
      second.ctx.logs.some((l) => l.includes('bootstrap cache hit')),
      second.ctx.logs.join('\n'),
    );
    assert.match(await readFile(join(second.root, 'etc/debian_version'), 'utf8'), /^12\./);
    // Device nodes and owners survive the round trip through the cache.
    const ls = spawnSync('stat', ['-c', '%F %t:%T %U', join(second.root, 'dev/null')], { encoding: 'utf8' });
    assert.equal(ls.stdout.trim(), 'character special file 1:3 root');
    assert.deepEqual(await readdir(join(second.root, 'lost+found')), []);

    // apt inside the restored tree, with /proc, /sys, /dev mounted only for the duration.
    await writeAptSources.run(second.ctx);
    await aptUpdate.run(second.ctx);
    assert.deepEqual(await mountsBelow(base), [], 'no mount left behind');
    assert.ok(
      (await readdir(join(second.root, 'var/lib/apt/lists'))).some((f) => f.includes('bookworm-security')),
    );
  });

  it(
    'debootstrap keeps its downloads in the shared .deb archive (--cache-dir)',
    { skip: spawnSync('debootstrap', ['--version']).status === 0 ? false : 'needs debootstrap' },
    async (t) => {
      const before = new Set(await readdir(join(base, 'cache', 'archives')).catch(() => []));
      const run = await build('debootstrap', 'debootstrap');
      t.diagnostic(`debootstrap build (cache miss): ${run.seconds.toFixed(1)} s`);
      assert.match(await readFile(join(run.root, 'etc/debian_version'), 'utf8'), /^12\./);
      const now = await readdir(join(base, 'cache', 'archives'));
      assert.ok(
        now.length >= before.size && now.some((d) => d.startsWith('libc6_')),
        `${now.length} files in the archive`,
      );
      assert.deepEqual(await mountsBelow(base), []);
    },
  );
});

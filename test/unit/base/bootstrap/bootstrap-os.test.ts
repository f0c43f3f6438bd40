import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BuildError,
  BuildState,
  CommandError,
  ROOT_DIR,
  BOOTSTRAP_INCLUDE,
  type CommandResult,
  type RunOptions,
} from '../../../../src/api/index.js';
import { bootstrapOs } from '../../../../src/base/bootstrap/bootstrap-os.js';
import { mountAptArchives, unmountAptArchives } from '../../../../src/base/apt/build-archives.js';
import { selectBootstrapTasks } from '../../../../src/base/bootstrap/index.js';
import { resolveBootstrapPlan } from '../../../../src/base/bootstrap/bootstrap-plan.js';
import { MAX_ATTEMPTS, runBootstrapper } from '../../../../src/base/bootstrap/run-bootstrapper.js';
import {
  baseManifestData,
  tempDir,
  testContext,
  testManifest,
  TestRunner,
} from '../../../helpers/fake-context.js';

/**
 * Answers --version, writes a file for `tar --create`, and drops a .deb into the build's apt archive
 * for mmdebstrap (where the bind mount on the image's /var/cache/apt/archives puts it).
 */
function fakeHost(archive: string): TestRunner {
  return new TestRunner((argv) => {
    if (argv[1] === '--version') return { stdout: `${argv[0]} 9.9\n` };
    if (argv[0] === 'tar' && argv[1] === '--create') writeFileSync(argv[2]!.slice('--file='.length), 'TAR');
    if (argv[0] === 'mmdebstrap') writeFileSync(join(archive, 'base-files_1_amd64.deb'), 'DEB');
    return undefined;
  });
}

async function setup() {
  const dir = await tempDir();
  const root = join(dir.path, 'root');
  const cache = join(dir.path, 'cache');
  await mkdir(join(root, 'var/cache/apt/archives'), { recursive: true });
  await mkdir(join(root, 'lost+found'));
  const manifest = testManifest({
    ...baseManifestData,
    bootstrapper: { workspace: dir.path, variant: 'minbase', cache_dir: cache, mirror: 'http://m/debian/' },
  });
  const workspace = join(dir.path, 'ws');
  const archive = join(workspace, 'apt-archives');
  /** A fresh build's state, with the build's apt archive mounted (recorded, not really mounted). */
  const state = async () => {
    const s = new BuildState();
    s.set(ROOT_DIR, root);
    await mountAptArchives.run(testContext({ manifest, state: s, workspace }));
    return s;
  };
  const ctx = (runner: TestRunner, s: BuildState) => testContext({ manifest, runner, state: s, workspace });
  return { dir, root, cache, manifest, state, archive, ctx };
}

test('a miss bootstraps, caches the .debs and the tree; a second build with the same key unpacks it', async () => {
  const { dir, root, cache, state, archive, ctx } = await setup();
  try {
    const r1 = fakeHost(archive);
    const s1 = await state();
    await bootstrapOs.run(ctx(r1, s1));
    const tools1 = r1.calls.map((c) => c.argv[0]);
    assert.deepEqual(tools1, ['mmdebstrap', 'mmdebstrap', 'tar']);
    assert.ok(r1.calls[1]!.argv.includes('--variant=minbase'));
    const entries = (await readdir(join(cache, 'bootstrap'))).sort();
    assert.equal(entries.length, 2, `one tarball and one sidecar, no partial or lock: ${entries.join(' ')}`);
    const sidecar = JSON.parse(
      await readFile(
        join(
          cache,
          'bootstrap',
          entries.find((e) => e.endsWith('.json'))!,
        ),
        'utf8',
      ),
    );
    assert.equal(sidecar.variant, 'minbase');
    assert.equal(sidecar.mirror, 'http://m/debian/');
    // The downloaded .deb went to the persistent archive, never into the image; the tarball leaves
    // the mounted archive's contents out.
    assert.deepEqual(await readdir(join(cache, 'archives')), ['base-files_1_amd64.deb']);
    assert.deepEqual(await readdir(join(root, 'var/cache/apt/archives')), []);
    assert.ok(r1.calls[2]!.argv.includes('--exclude=./var/cache/apt/archives/*'));
    await unmountAptArchives.run(ctx(new TestRunner(), s1));

    const r2 = fakeHost(archive);
    await bootstrapOs.run(ctx(r2, await state()));
    assert.deepEqual(
      r2.calls.map((c) => c.argv.slice(0, 2).join(' ')),
      ['mmdebstrap --version', 'tar --extract'],
      'second build: no bootstrap',
    );

    // A different key (extra bootstrap package from state) misses again.
    const r3 = fakeHost(archive);
    const s3 = await state();
    s3.get(BOOTSTRAP_INCLUDE).add('locales');
    await bootstrapOs.run(ctx(r3, s3));
    assert.ok(r3.calls.some((c) => c.argv[0] === 'mmdebstrap' && c.argv.includes('--include=locales')));
  } finally {
    await dir.cleanup();
  }
});

class FlakyRunner extends TestRunner {
  failures: number;
  constructor(archive: string, failures: number) {
    const base = fakeHost(archive);
    super((argv) => base.respond(argv));
    this.failures = failures;
  }
  override async run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    const result = await super.run(argv, options);
    if (argv[0] === 'mmdebstrap' && argv[1] !== '--version' && this.failures-- > 0) {
      throw new CommandError(
        argv,
        1,
        'E: Failed to fetch http://m/debian/dists/bookworm/InRelease  Could not resolve host: m',
        'exit code 1',
      );
    }
    return result;
  }
}

test('a transient mirror failure is retried after clearing the root', async () => {
  const { dir, root, state, archive, ctx } = await setup();
  try {
    await writeFile(join(root, 'half-done'), 'x');
    // The retry backoff is 5 s per attempt in production; one retry keeps this test at ~5 s.
    const flaky = new FlakyRunner(archive, 1);
    await bootstrapOs.run(ctx(flaky, await state()));
    assert.equal(
      flaky.calls.filter((c) => c.argv[0] === 'mmdebstrap' && c.argv[1] !== '--version').length,
      2,
    );
    assert.ok(!(await readdir(root)).includes('half-done'), 'root cleared before the retry');
  } finally {
    await dir.cleanup();
  }
});

test('a mirror that keeps failing ends in a BuildError naming the mirror after a bounded number of attempts', async () => {
  const { dir, root, manifest, state, archive, ctx } = await setup();
  try {
    const flaky = new FlakyRunner(archive, 99);
    const plan = resolveBootstrapPlan(manifest, 'http://unused/');
    await assert.rejects(
      runBootstrapper(ctx(flaky, await state()), plan, root, { backoffMs: () => 0 }),
      (e: unknown) =>
        e instanceof BuildError &&
        e.message.includes('http://m/debian/') &&
        e.message.includes(`${MAX_ATTEMPTS} attempts`),
    );
    assert.equal(flaky.calls.filter((c) => c.argv[0] === 'mmdebstrap').length, MAX_ATTEMPTS);
  } finally {
    await dir.cleanup();
  }
});

test('a non-network failure is not retried and leaves no partial or lock behind', async () => {
  const { dir, cache, state, ctx: contextOf } = await setup();
  try {
    const runner = new (class extends TestRunner {
      override async run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
        if (argv[0] === 'mmdebstrap' && argv[1] !== '--version')
          throw new CommandError(argv, 1, 'E: unable to find package nosuch', 'exit code 1');
        return super.run(argv, options);
      }
    })();
    const ctx = contextOf(runner, await state());
    await assert.rejects(
      bootstrapOs.run(ctx),
      (e: unknown) => e instanceof CommandError && !(e instanceof BuildError),
    );
    await bootstrapOs.undo!(ctx);
    assert.deepEqual(await readdir(join(cache, 'bootstrap')), []);
  } finally {
    await dir.cleanup();
  }
});

test('selectBootstrapTasks checks the host for the chosen tool', () => {
  const m = testManifest({ ...baseManifestData, bootstrapper: { workspace: '/w', tool: 'debootstrap' } });
  const tasks = selectBootstrapTasks(m);
  assert.deepEqual(
    tasks.map((t) => t.id),
    ['base/check-mirror', 'base/bootstrap-os'],
  );
  assert.deepEqual(tasks[1]!.hostCommands, ['debootstrap', 'tar']);
});

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BuildError, ROOT_DIR, VOLUME, type ManifestData } from '../../../../src/api/index.js';
import { inputTarball, outputTarball } from '../../../../plugins/prebootstrapped/settings.js';
import { tarCreateArgv, tarExtractArgv } from '../../../../plugins/prebootstrapped/tar-argv.js';
import {
  checkTarball,
  extractTarball,
  osReleaseCodename,
  saveTarball,
} from '../../../../plugins/prebootstrapped/tasks.js';
import {
  baseManifestData,
  tempDir,
  testContext,
  testManifest,
  TestRunner,
} from '../../../helpers/fake-context.js';

const manifest = (s: Record<string, unknown>, file?: string) =>
  testManifest({ ...baseManifestData, plugins: { prebootstrapped: s } } as ManifestData, file);

describe('prebootstrapped: file names and command lines', () => {
  it('saves next to the image, named after the manifest', () => {
    const ctx = { manifest: manifest({}), workspace: '/var/tmp/bootstrap/run-1' };
    assert.equal(outputTarball(ctx), '/var/tmp/bootstrap/test-bookworm.prebootstrapped.tar');
  });

  it('reads a relative tarball path from the manifest’s directory', () => {
    assert.equal(inputTarball(manifest({ tarball: 'saved/t.tar' }, '/srv/m/x.yml')), '/srv/m/saved/t.tar');
    assert.equal(inputTarball(manifest({ tarball: '/abs/t.tar' }, '/srv/m/x.yml')), '/abs/t.tar');
    assert.equal(inputTarball(manifest({})), undefined);
  });

  it('archives a root tree with owners, xattrs, and without lost+found or package lists', () => {
    assert.deepEqual(tarCreateArgv('/ws/root', '/out/t.tar', ['/ws/root/boot']), [
      'tar',
      '--create',
      '--file=/out/t.tar',
      '--numeric-owner',
      '--acls',
      '--xattrs',
      '--xattrs-include=*',
      '--anchored',
      '--exclude=./lost+found',
      '--exclude=./boot/lost+found',
      '--exclude=./var/lib/apt/lists/*_*',
      '--directory=/ws/root',
      '.',
    ]);
    assert.deepEqual(tarExtractArgv('/out/t.tar', '/ws/root'), [
      'tar',
      '--extract',
      '--file=/out/t.tar',
      '--numeric-owner',
      '--acls',
      '--xattrs',
      '--xattrs-include=*',
      '--same-owner',
      '--preserve-permissions',
      '--directory=/ws/root',
    ]);
  });

  it('reads the codename of os-release', () => {
    assert.equal(osReleaseCodename('ID=debian\nVERSION_CODENAME=bookworm\n'), 'bookworm');
    assert.equal(osReleaseCodename('VERSION_CODENAME="trixie"\n'), 'trixie');
    assert.equal(osReleaseCodename('PRETTY_NAME="Debian GNU/Linux trixie/sid"\n'), undefined);
  });
});

describe('prebootstrapped: saving', () => {
  it('writes the tarball through a .partial file and reports it', async () => {
    const dir = await tempDir();
    try {
      const root = join(dir.path, 'run/root');
      await mkdir(root, { recursive: true });
      const out = join(dir.path, 'test-bookworm.prebootstrapped.tar');
      // The runner stands in for tar: it creates the file named by --file=.
      const runner = new TestRunner((argv) => {
        const f = argv.find((a) => a.startsWith('--file='))?.slice('--file='.length);
        if (argv[1] === '--create' && f) writeFileSync(f, 'tar data');
        return undefined;
      });
      const ctx = testContext({ manifest: manifest({}), workspace: join(dir.path, 'run'), runner });
      ctx.state.set(ROOT_DIR, root);
      await saveTarball.run(ctx);
      assert.deepEqual(runner.lines(), [tarCreateArgv(root, `${out}.partial`).join(' ')]);
      assert.deepEqual((await readdir(dir.path)).sort(), ['run', 'test-bookworm.prebootstrapped.tar']);
      assert.deepEqual(ctx.artifacts, [
        { kind: 'file', path: out, format: 'tar', sizeBytes: 8, name: 'prebootstrapped' },
      ]);
      assert.match(ctx.logs.join('\n'), new RegExp(`saved the bootstrapped tree to ${out}`));
      // The finished tarball survives a rollback.
      await saveTarball.undo?.(ctx);
      assert.deepEqual((await readdir(dir.path)).sort(), ['run', 'test-bookworm.prebootstrapped.tar']);
    } finally {
      await dir.cleanup();
    }
  });

  it('removes the partial file when the build is rolled back mid-way', async () => {
    const dir = await tempDir();
    try {
      const root = join(dir.path, 'run/root');
      await mkdir(root, { recursive: true });
      const runner = new TestRunner((argv) => {
        const f = argv.find((a) => a.startsWith('--file='))?.slice('--file='.length);
        if (f) writeFileSync(f, 'half');
        return undefined;
      });
      // tar wrote part of the archive, then was killed.
      const failing = Object.assign(Object.create(runner) as TestRunner, {
        run: async (argv: readonly string[]) => {
          await runner.run(argv);
          throw new Error('tar: interrupted');
        },
      });
      const ctx = testContext({ manifest: manifest({}), workspace: join(dir.path, 'run'), runner: failing });
      ctx.state.set(ROOT_DIR, root);
      await assert.rejects(saveTarball.run(ctx), /interrupted/);
      assert.ok((await readdir(dir.path)).includes('test-bookworm.prebootstrapped.tar.partial'));
      await saveTarball.undo?.(ctx);
      assert.deepEqual(await readdir(dir.path), ['run']);
    } finally {
      await dir.cleanup();
    }
  });

  it('accepts the volume’s own mounts in the root (they are archived)', async () => {
    const ctx = testContext({ manifest: manifest({}), workspace: '/nonexistent/run' });
    ctx.state.set(ROOT_DIR, '/nonexistent/run/root');
    ctx.state.set(VOLUME, {
      backing: 'raw',
      state: 'mounted',
      sizeBytes: 1,
      partitionMap: 'gpt',
      partitions: [{ name: 'boot', number: 1, startBytes: 0, sizeBytes: 1, mountpoint: '/boot' }],
    });
    // Nothing is mounted there on this host, so only the tar runs (and then the rename fails).
    await assert.rejects(saveTarball.run(ctx), /ENOENT/);
    assert.equal(ctx.runner.calls.length, 1);
  });
});

describe('prebootstrapped: restoring', () => {
  async function restore(osRelease: string, arch: string) {
    const dir = await tempDir();
    const runner = new TestRunner((argv) => {
      if (argv[0] === 'tar') {
        mkdirSync(join(dir.path, 'etc'), { recursive: true });
        writeFileSync(join(dir.path, 'etc/os-release'), osRelease);
      }
      if (argv[0] === 'dpkg') return { stdout: `${arch}\n` };
      return undefined;
    });
    const ctx = testContext({ manifest: manifest({ tarball: '/saved/t.tar' }), runner });
    ctx.state.set(ROOT_DIR, dir.path);
    return { ctx, runner, dir };
  }

  it('unpacks the tarball into the root and checks release and architecture', async () => {
    const { ctx, runner, dir } = await restore('VERSION_CODENAME=bookworm\n', 'amd64');
    try {
      await extractTarball.run(ctx);
      assert.deepEqual(runner.lines(), [
        tarExtractArgv('/saved/t.tar', dir.path).join(' '),
        '[chroot] dpkg --print-architecture',
      ]);
    } finally {
      await dir.cleanup();
    }
  });

  it('refuses a tree of another release', async () => {
    const { ctx, dir } = await restore('VERSION_CODENAME=trixie\n', 'amd64');
    try {
      await assert.rejects(extractTarball.run(ctx), (e: unknown) => {
        assert.ok(e instanceof BuildError);
        assert.match(e.message, /holds Debian trixie, and the manifest builds bookworm/);
        return true;
      });
    } finally {
      await dir.cleanup();
    }
  });

  it('refuses a tree of another architecture', async () => {
    const { ctx, dir } = await restore('VERSION_CODENAME=bookworm\n', 'arm64');
    try {
      await assert.rejects(extractTarball.run(ctx), /holds an arm64 system, and the manifest builds amd64/);
    } finally {
      await dir.cleanup();
    }
  });

  it('checks up front that the tarball exists', async () => {
    const dir = await tempDir();
    try {
      const missing = testContext({ manifest: manifest({ tarball: 'nope.tar' }, join(dir.path, 'm.yml')) });
      await assert.rejects(checkTarball.run(missing), new RegExp(`${dir.path}/nope.tar is not a file`));
      await writeFile(join(dir.path, 'there.tar'), 'x');
      await checkTarball.run(
        testContext({ manifest: manifest({ tarball: 'there.tar' }, join(dir.path, 'm.yml')) }),
      );
    } finally {
      await dir.cleanup();
    }
  });
});

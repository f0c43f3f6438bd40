import assert from 'node:assert/strict';
import { lstat, mkdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { BuildError, ROOT_DIR, type ManifestData } from '../../../../src/api/index.js';
import { createRecordingFs } from '../../../../src/runner/build-fs.js';
import { checkSources, copyFiles, createDirectories } from '../../../../plugins/file_copy/tasks.js';
import {
  baseManifestData,
  tempDir,
  testContext,
  testManifest,
  TestRunner,
} from '../../../helpers/fake-context.js';

/** A host directory holding the manifest and its files, and an image root. */
let host: string;
let root: string;
let cleanup: () => Promise<void>;

// Inside a describe: scripts/run-tests.mjs runs several files per process.
describe('file_copy tasks', () => {
  beforeEach(async () => {
    const dir = await tempDir('file-copy-');
    cleanup = dir.cleanup;
    host = join(dir.path, 'host');
    root = join(dir.path, 'image');
    await mkdir(join(host, 'files/tree/sub'), { recursive: true });
    await writeFile(join(host, 'files/motd'), 'Welcome\n', { mode: 0o600 });
    await writeFile(join(host, 'files/tree/a.sh'), '#!/bin/sh\n', { mode: 0o755 });
    await writeFile(join(host, 'files/tree/sub/b.conf'), 'b=1\n', { mode: 0o644 });
    await symlink('a.sh', join(host, 'files/tree/link'));
    await mkdir(join(root, 'etc'), { recursive: true });
    await mkdir(join(root, 'run'));
    await mkdir(join(root, 'var'));
    await symlink('/run', join(root, 'var/run'));
  });
  afterEach(() => cleanup());

  function context(settings: Record<string, unknown>, runner = new TestRunner()) {
    const data: ManifestData = { ...baseManifestData, plugins: { file_copy: settings } };
    const ctx = testContext({ runner, manifest: testManifest(data, join(host, 'manifest.yml')) });
    ctx.state.set(ROOT_DIR, root);
    return ctx;
  }

  describe('file_copy/copy-files', () => {
    it('copies a file relative to the manifest, keeps its mode, then sets owner, group and mode in the image', async () => {
      const ctx = context({
        files: [{ src: 'files/motd', dst: '/etc/motd', owner: 'root', group: 'adm', permissions: '0644' }],
      });
      await copyFiles.run(ctx);
      assert.equal(await readFile(join(root, 'etc/motd'), 'utf8'), 'Welcome\n');
      assert.equal(
        (await stat(join(root, 'etc/motd'))).mode & 0o777,
        0o600,
        'chmod happens in the chroot, after the copy',
      );
      assert.deepEqual(ctx.runner.lines(), [
        '[chroot] chown -- root /etc/motd',
        '[chroot] chgrp -- adm /etc/motd',
        '[chroot] chmod -- 0644 /etc/motd',
      ]);
      assert.ok(ctx.runner.calls.every((c) => c.chrootRoot === root));
    });

    it('copies a file onto an existing directory into it, and sets the mode on the file', async () => {
      const ctx = context({ files: [{ src: 'files/motd', dst: '/etc', permissions: 'u=rw,go=r' }] });
      await copyFiles.run(ctx);
      assert.equal(await readFile(join(root, 'etc/motd'), 'utf8'), 'Welcome\n');
      assert.deepEqual(ctx.runner.lines(), ['[chroot] chmod -- u=rw,go=r /etc/motd']);
    });

    it('copies a directory recursively with modes and symlinks, and applies ownership with -R', async () => {
      await mkdir(join(root, 'opt'));
      const ctx = context({
        files: [{ src: 'files/tree', dst: '/opt/tree', owner: 'app:app', permissions: 'u=rwX,go=rX' }],
      });
      await copyFiles.run(ctx);
      assert.equal(await readFile(join(root, 'opt/tree/sub/b.conf'), 'utf8'), 'b=1\n');
      assert.equal((await stat(join(root, 'opt/tree/a.sh'))).mode & 0o777, 0o755);
      assert.equal(await readlink(join(root, 'opt/tree/link')), 'a.sh');
      assert.deepEqual(ctx.runner.lines(), [
        '[chroot] chown -R -- app:app /opt/tree',
        '[chroot] chmod -R -- u=rwX,go=rX /opt/tree',
      ]);
    });

    it('merges a directory into an existing one', async () => {
      await mkdir(join(root, 'opt/tree'), { recursive: true });
      await writeFile(join(root, 'opt/tree/keep'), 'kept\n');
      await copyFiles.run(context({ files: [{ src: 'files/tree', dst: '/opt/tree' }] }));
      assert.equal(await readFile(join(root, 'opt/tree/keep'), 'utf8'), 'kept\n');
      assert.equal(await readFile(join(root, 'opt/tree/sub/b.conf'), 'utf8'), 'b=1\n');
    });

    it('writes through an absolute symlink of the image inside the image, not onto the host', async () => {
      const ctx = context({ files: [{ src: 'files/motd', dst: '/var/run/motd-copy', owner: 'root' }] });
      await copyFiles.run(ctx);
      assert.equal(await readFile(join(root, 'run/motd-copy'), 'utf8'), 'Welcome\n');
      await assert.rejects(lstat('/run/motd-copy'), { code: 'ENOENT' });
      assert.deepEqual(ctx.runner.lines(), ['[chroot] chown -- root /run/motd-copy']);
    });

    it('follows an absolute directory symlink inside a destination tree within the image, not onto the host', async () => {
      // /opt/tree/sub is an absolute link to /etc in the image: on the host that would be the HOST's /etc.
      await mkdir(join(root, 'opt/tree'), { recursive: true });
      await symlink('/etc', join(root, 'opt/tree/sub'));
      await copyFiles.run(context({ files: [{ src: 'files/tree', dst: '/opt/tree' }] }));
      assert.equal(await readFile(join(root, 'etc/b.conf'), 'utf8'), 'b=1\n', 'followed inside the image');
      await assert.rejects(lstat('/etc/b.conf'), { code: 'ENOENT' });
    });

    it('asks for mkdirs when the destination directory does not exist', async () => {
      await assert.rejects(
        copyFiles.run(context({ files: [{ src: 'files/motd', dst: '/opt/nowhere/motd' }] })),
        (e: unknown) =>
          e instanceof BuildError &&
          /\/opt\/nowhere does not exist/.test(e.message) &&
          /mkdirs/.test(e.hint ?? ''),
      );
    });

    it('refuses to copy a file over a directory', async () => {
      await mkdir(join(root, 'opt/tree'), { recursive: true });
      await mkdir(join(host, 'files/tree2'));
      await writeFile(join(host, 'files/tree2/sub'), 'file\n');
      await mkdir(join(root, 'opt/tree/sub'));
      await assert.rejects(
        copyFiles.run(context({ files: [{ src: 'files/tree2', dst: '/opt/tree' }] })),
        /over the directory \/opt\/tree\/sub/,
      );
    });

    it('records the writes in a dry run and leaves the image untouched', async () => {
      const fs = createRecordingFs();
      const runner = new TestRunner(undefined, true);
      const base = context(
        { files: [{ src: 'files/motd', dst: '/srv/new/motd', permissions: '0600' }] },
        runner,
      );
      await copyFiles.run({ ...base, fs, dryRun: true });
      assert.deepEqual(fs.operations, [
        { op: 'writeFile', path: join(root, 'srv/new/motd'), content: 'Welcome\n', mode: 0o600 },
      ]);
      await assert.rejects(lstat(join(root, 'srv')), { code: 'ENOENT' });
      assert.deepEqual(runner.lines(), ['[chroot] chmod -- 0600 /srv/new/motd']);
    });
  });

  describe('file_copy/create-directories', () => {
    it('creates each directory (parents too) with 0755, then applies ownership without -R', async () => {
      const ctx = context({
        mkdirs: [{ dir: '/srv/www/html', owner: 'www-data', permissions: '2775' }, { dir: '/var/run/app' }],
        files: [],
      });
      await createDirectories.run(ctx);
      assert.ok((await stat(join(root, 'srv/www/html'))).isDirectory());
      assert.equal((await stat(join(root, 'srv/www/html'))).mode & 0o777, 0o755);
      assert.ok((await stat(join(root, 'run/app'))).isDirectory(), '/var/run is followed inside the image');
      assert.deepEqual(ctx.runner.lines(), [
        '[chroot] chown -- www-data /srv/www/html',
        '[chroot] chmod -- 2775 /srv/www/html',
      ]);
    });
  });

  describe('file_copy/check-sources', () => {
    it('passes when every source is a file or directory, relative to the manifest', async () => {
      await checkSources.run(
        context({
          files: [
            { src: 'files/motd', dst: '/etc/motd' },
            { src: join(host, 'files/tree'), dst: '/opt' },
          ],
        }),
      );
    });

    it('lists every missing source with the path it looked at', async () => {
      await assert.rejects(
        checkSources.run(
          context({
            files: [
              { src: 'nope', dst: '/a' },
              { src: 'files/motd', dst: '/b' },
              { src: '/no/such', dst: '/c' },
            ],
          }),
        ),
        (e: unknown) =>
          e instanceof BuildError &&
          e.message.includes(`nope (${join(host, 'nope')})`) &&
          e.message.includes('/no/such') &&
          !e.message.includes('motd'),
      );
    });
  });
});

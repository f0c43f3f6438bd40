import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT_DIR, VOLUME, type ManifestData, type VolumeInfo } from '../../../../src/api/index.js';
import {
  removeFilteredFiles,
  writeAptAutoclean,
  writeAptConfig,
  writeDpkgFilters,
} from '../../../../plugins/minimize_size/package-tasks.js';
import {
  measureImage,
  reportSavings,
  shrinkImage,
  zerofree,
} from '../../../../plugins/minimize_size/volume-tasks.js';
import { baseManifestData, tempDir, testContext, testManifest } from '../../../helpers/fake-context.js';

const settings = {
  zerofree: true,
  shrink: 'qemu-img',
  apt: { autoclean: true, languages: ['none'], gzip_indexes: true, autoremove_suggests: true },
  dpkg: { locales: ['de'], exclude_docs: true },
};
const manifest = testManifest({ ...baseManifestData, plugins: { minimize_size: settings } } as ManifestData);

async function touch(root: string, path: string, content = 'x'): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), content);
}

async function tree(root: string, dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(root, dir), { withFileTypes: true })) {
    const path = `${dir}/${e.name}`;
    out.push(e.isDirectory() ? `${path}/` : path);
    if (e.isDirectory()) out.push(...(await tree(root, path)));
  }
  return out.sort();
}

describe('minimize_size: package-installation tasks', () => {
  it('writes the dpkg drop-ins into the image', async () => {
    const dir = await tempDir();
    try {
      const ctx = testContext({ manifest });
      ctx.state.set(ROOT_DIR, dir.path);
      await writeDpkgFilters.run(ctx);
      const cfg = join(dir.path, 'etc/dpkg/dpkg.cfg.d');
      assert.deepEqual((await readdir(cfg)).sort(), [
        '10exclude-docs',
        '10filter-locales',
        '10filter-manpages',
      ]);
      assert.match(
        await readFile(join(cfg, '10filter-locales'), 'utf8'),
        /^path-include=\/usr\/share\/locale\/de\/\*$/m,
      );
      assert.equal((await stat(join(cfg, '10exclude-docs'))).mode & 0o777, 0o644);
    } finally {
      await dir.cleanup();
    }
  });

  it('removes the installed files the filters exclude, keeping copyright, kept locales and English man pages', async () => {
    const dir = await tempDir();
    try {
      const r = dir.path;
      for (const p of [
        '/usr/share/doc/bash/README.gz',
        '/usr/share/doc/bash/copyright',
        '/usr/share/doc/apt/examples/sources.list',
        '/usr/share/locale/locale.alias',
        '/usr/share/locale/de/LC_MESSAGES/apt.mo',
        '/usr/share/locale/fr/LC_MESSAGES/apt.mo',
        '/usr/share/man/man1/ls.1.gz',
        '/usr/share/man/fr/man1/ls.1.gz',
        '/usr/bin/ls',
      ])
        await touch(r, p, 'abcd');
      await symlink('bash', join(r, 'usr/share/doc/bash-doc'));
      const ctx = testContext({ manifest });
      ctx.state.set(ROOT_DIR, r);
      await removeFilteredFiles.run(ctx);
      assert.deepEqual(await tree(r, '/usr'), [
        '/usr/bin/',
        '/usr/bin/ls',
        '/usr/share/',
        '/usr/share/doc/',
        '/usr/share/doc/bash/',
        '/usr/share/doc/bash/copyright',
        '/usr/share/locale/',
        '/usr/share/locale/de/',
        '/usr/share/locale/de/LC_MESSAGES/',
        '/usr/share/locale/de/LC_MESSAGES/apt.mo',
        '/usr/share/locale/locale.alias',
        '/usr/share/man/',
        '/usr/share/man/man1/',
        '/usr/share/man/man1/ls.1.gz',
      ]);
      // README, sources.list, fr apt.mo, fr ls.1.gz (4 bytes each) and the bash-doc link (4: "bash").
      assert.deepEqual(ctx.logs, ['info: removed 5 filtered files (20 B) from the image']);
    } finally {
      await dir.cleanup();
    }
  });

  it('writes the apt settings before the first update, and autoclean only at the end', async () => {
    const dir = await tempDir();
    try {
      const ctx = testContext({ manifest });
      ctx.state.set(ROOT_DIR, dir.path);
      const conf = join(dir.path, 'etc/apt/apt.conf.d');
      await writeAptConfig.run(ctx);
      assert.deepEqual((await readdir(conf)).sort(), [
        '20autoremove-suggests',
        '20gzip-indexes',
        '20languages',
      ]);
      assert.match(await readFile(join(conf, '20languages'), 'utf8'), /^Acquire::Languages \{ "none"; \};$/m);
      assert.match(await readFile(join(conf, '20gzip-indexes'), 'utf8'), /^Acquire::GzipIndexes "true";$/m);
      assert.match(
        await readFile(join(conf, '20autoremove-suggests'), 'utf8'),
        /^Apt::AutoRemove::SuggestsImportant "false";$/m,
      );
      await writeAptAutoclean.run(ctx);
      assert.match(
        await readFile(join(conf, '90clean'), 'utf8'),
        /^DPkg::Post-Invoke \{ "rm -f \/var\/cache\/apt\/archives\/\*\.deb/m,
      );
      assert.deepEqual(ctx.runner.calls, []);
    } finally {
      await dir.cleanup();
    }
  });
});

function volume(imagePath: string): VolumeInfo {
  return {
    backing: 'raw',
    state: 'attached',
    rawImagePath: imagePath,
    device: '/dev/loop7',
    sizeBytes: 4 * 1024 * 1024,
    partitionMap: 'gpt',
    partitions: [
      { name: 'bios_grub', number: 1, startBytes: 0, sizeBytes: 1, device: '/dev/loop7p1' },
      { name: 'efi', number: 2, startBytes: 0, sizeBytes: 1, filesystem: 'vfat', device: '/dev/loop7p2' },
      { name: 'boot', number: 3, startBytes: 0, sizeBytes: 1, filesystem: 'ext2', device: '/dev/loop7p3' },
      { name: 'var', number: 4, startBytes: 0, sizeBytes: 1, filesystem: 'xfs', device: '/dev/loop7p4' },
      { name: 'root', number: 5, startBytes: 0, sizeBytes: 1, filesystem: 'ext4', device: '/dev/loop7p5' },
    ],
  };
}

describe('minimize_size: volume-unmounting tasks', () => {
  it('runs zerofree on each ext filesystem, not on vfat or xfs', async () => {
    const ctx = testContext({ manifest });
    ctx.state.set(VOLUME, volume('/tmp/ws/volume.raw'));
    await zerofree.run(ctx);
    assert.deepEqual(ctx.runner.lines(), ['zerofree /dev/loop7p3', 'zerofree /dev/loop7p5']);
  });

  it('digs holes in the image file in place', async () => {
    const ctx = testContext({ manifest });
    ctx.state.set(VOLUME, volume('/tmp/ws/volume.raw'));
    await shrinkImage.run(ctx);
    assert.deepEqual(ctx.runner.lines(), ['fallocate --dig-holes /tmp/ws/volume.raw']);
  });

  it('reports the allocated bytes saved in the log and as an artifact', async () => {
    const dir = await tempDir();
    try {
      const image = join(dir.path, 'volume.raw');
      await writeFile(image, Buffer.alloc(1024 * 1024, 1));
      const ctx = testContext({ manifest });
      ctx.state.set(VOLUME, volume(image));
      await measureImage.run(ctx);
      await shrinkImage.run(ctx);
      // What fallocate --dig-holes does to an all-zero file: the same size, no blocks.
      await writeFile(image, '');
      await truncate(image, 1024 * 1024);
      await reportSavings.run(ctx);
      assert.equal(ctx.artifacts.length, 1);
      const [artifact] = ctx.artifacts;
      assert.equal(artifact?.name, 'minimize_size/bytes-saved');
      assert.equal(artifact?.kind, 'metric');
      assert.equal(artifact?.unit, 'bytes');
      assert.ok((artifact?.value ?? 0) >= 1024 * 1024, JSON.stringify(artifact));
      assert.match(ctx.logs.at(-1) ?? '', new RegExp(`saved ${artifact?.value} bytes`));
    } finally {
      await dir.cleanup();
    }
  });

  it('reports nothing in a dry run (nothing was measured)', async () => {
    const ctx = { ...testContext({ manifest }), dryRun: true };
    ctx.state.set(VOLUME, volume('/nonexistent/volume.raw'));
    await measureImage.run(ctx);
    await reportSavings.run(ctx);
    assert.deepEqual(ctx.artifacts, []);
  });
});

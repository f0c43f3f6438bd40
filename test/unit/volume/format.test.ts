import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MiB } from '../../../src/api/size.js';
import { createRecordingRunner } from '../../../src/runner/index.js';
import {
  EXT4_COMPAT_OFF,
  Formatter,
  mke2fsKnowsNewFeatures,
  mkfsArgv,
  substituteFormatCommand,
} from '../../../src/volume/format.js';
import { IllegalTransitionError } from '../../../src/volume/state-machine.js';

const vars = { fs: 'ext4', device_path: '/dev/loop0p2', size: '2GiB' };

describe('substituteFormatCommand', () => {
  it('substitutes inside each element, keeping elements apart (no shell)', () => {
    assert.deepEqual(
      substituteFormatCommand(
        ['mkfs.{fs}', '-L', 'my root; rm -rf /', '-E', 'x={size}', '{device_path}'],
        vars,
      ),
      ['mkfs.ext4', '-L', 'my root; rm -rf /', '-E', 'x=2GiB', '/dev/loop0p2'],
    );
  });

  it('a value containing braces or shell syntax is not expanded again', () => {
    assert.deepEqual(substituteFormatCommand(['{device_path}'], { ...vars, device_path: '/dev/$(x){fs}' }), [
      '/dev/$(x){fs}',
    ]);
  });

  it('{{ and }} are literal braces; an unknown placeholder is an error', () => {
    assert.deepEqual(substituteFormatCommand(['{{fs}}', 'a}}b'], vars), ['{fs}', 'a}b']);
    assert.throws(() => substituteFormatCommand(['{label}'], vars), /unknown placeholder "\{label\}"/);
  });
});

describe('mkfsArgv', () => {
  const p = { name: 'root', sizeBytes: 512 * MiB, device: '/dev/loop0p3' };
  it('per filesystem', () => {
    assert.deepEqual(mkfsArgv({ ...p, filesystem: 'ext4' }), [
      'mkfs.ext4',
      '-q',
      '-L',
      'root',
      '/dev/loop0p3',
    ]);
    assert.deepEqual(mkfsArgv({ ...p, filesystem: 'ext3' }, { ext4Compat: true }), [
      'mkfs.ext3',
      '-q',
      '-L',
      'root',
      '-O',
      EXT4_COMPAT_OFF,
      '/dev/loop0p3',
    ]);
    assert.deepEqual(mkfsArgv({ ...p, filesystem: 'xfs', name: 'a-very-long-name' }), [
      'mkfs.xfs',
      '-f',
      '-q',
      '-L',
      'a-very-long-',
      '/dev/loop0p3',
    ]);
    assert.deepEqual(mkfsArgv({ ...p, name: 'efi', filesystem: 'vfat' }), [
      'mkfs.vfat',
      '-F',
      '32',
      '-n',
      'EFI',
      '/dev/loop0p3',
    ]);
    assert.deepEqual(mkfsArgv({ ...p, name: 'swap', filesystem: 'swap' }), [
      'mkswap',
      '-L',
      'swap',
      '/dev/loop0p3',
    ]);
    assert.equal(mkfsArgv({ ...p, name: 'bios_grub' }), undefined);
  });

  it('mke2fsKnowsNewFeatures reads the version banner', () => {
    assert.equal(
      mke2fsKnowsNewFeatures('mke2fs 1.47.0 (5-Feb-2023)\n\tUsing EXT2FS Library version 1.47.0'),
      true,
    );
    assert.equal(mke2fsKnowsNewFeatures('mke2fs 1.46.2 (28-Feb-2021)'), false);
    assert.equal(mke2fsKnowsNewFeatures('garbage'), false);
  });
});

describe('Formatter', () => {
  it('probes mke2fs once, formats, reads the UUID; formatting twice throws', async () => {
    const runner = createRecordingRunner({
      dryRun: false,
      results: (argv) =>
        argv[0] === 'mke2fs'
          ? { stderr: 'mke2fs 1.47.0 (5-Feb-2023)' }
          : argv[0] === 'blkid'
            ? { stdout: `uuid-of-${argv.at(-1)}\n` }
            : undefined,
    });
    const f = new Formatter(runner);
    const uuid = await f.format({
      name: 'root',
      filesystem: 'ext4',
      sizeBytes: 512 * MiB,
      device: '/dev/loop0p2',
    });
    assert.equal(uuid, 'uuid-of-/dev/loop0p2');
    await f.format({ name: 'boot', filesystem: 'ext2', sizeBytes: 64 * MiB, device: '/dev/loop0p1' });
    assert.deepEqual(runner.lines(), [
      'mke2fs -V',
      `mkfs.ext4 -q -L root -O ${EXT4_COMPAT_OFF} /dev/loop0p2`,
      'blkid -p -s UUID -o value /dev/loop0p2',
      `mkfs.ext2 -q -L boot -O ${EXT4_COMPAT_OFF} /dev/loop0p1`,
      'blkid -p -s UUID -o value /dev/loop0p1',
    ]);
    await assert.rejects(
      () => f.format({ name: 'root', filesystem: 'ext4', sizeBytes: 512 * MiB, device: '/dev/loop0p2' }),
      IllegalTransitionError,
    );
  });

  it('uses format_command as given, with {size} like bootstrap-vz, and skips bios_grub', async () => {
    const runner = createRecordingRunner({
      dryRun: false,
      results: (argv) => (argv[0] === 'blkid' ? { stdout: 'u\n' } : undefined),
    });
    const f = new Formatter(runner);
    await f.format({
      name: 'var',
      filesystem: 'xfs',
      sizeBytes: 300 * MiB,
      device: '/dev/loop1p4',
      formatCommand: ['mkfs.{fs}', '-f', '-L', 'var data', '{device_path}', '{size}'],
    });
    assert.equal(await f.format({ name: 'bios_grub', sizeBytes: MiB, device: '/dev/loop1p1' }), undefined);
    assert.deepEqual(runner.calls[0]?.argv, ['mkfs.xfs', '-f', '-L', 'var data', '/dev/loop1p4', '300MiB']);
    assert.equal(runner.calls.length, 2, 'format_command, then blkid; nothing for bios_grub');
  });

  it('an empty UUID is an error', async () => {
    const runner = createRecordingRunner({ dryRun: false, results: () => ({ stdout: '' }) });
    await assert.rejects(
      () =>
        new Formatter(runner).format({
          name: 'root',
          filesystem: 'xfs',
          sizeBytes: 300 * MiB,
          device: '/dev/loop0p2',
        }),
      /blkid found no filesystem UUID on \/dev\/loop0p2/,
    );
  });
});

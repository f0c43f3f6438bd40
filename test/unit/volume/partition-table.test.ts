import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRecordingRunner } from '../../../src/runner/index.js';
import { planLayout } from '../../../src/volume/layout.js';
import { PartitionTable, parseSfdiskJson, sfdiskScript } from '../../../src/volume/partition-table.js';
import { IllegalTransitionError } from '../../../src/volume/state-machine.js';

const hybrid = planLayout(
  {
    type: 'gpt',
    swap: { size: '64MiB' },
    root: { filesystem: 'ext4', size: '1GiB' },
    srv: { filesystem: 'xfs', size: '300MiB' },
  },
  { bootloader: 'grub', bootMode: 'hybrid' },
);

const msdos = planLayout(
  {
    type: 'msdos',
    boot: { filesystem: 'ext2', size: '128MiB' },
    swap: { size: '64MiB' },
    root: { filesystem: 'ext4', size: '1GiB' },
  },
  { bootloader: 'grub', bootMode: 'bios' },
);

describe('sfdiskScript', () => {
  it('gpt: sectors, type GUIDs and names; bios_grub first', () => {
    assert.equal(
      sfdiskScript(hybrid),
      [
        'label: gpt',
        'unit: sectors',
        'sector-size: 512',
        '',
        'start=2048, size=2048, type=21686148-6449-6E6F-744E-656564454649, name="bios_grub"',
        'start=4096, size=260096, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="efi"',
        'start=264192, size=131072, type=0657FD6D-A4AB-43C4-84E5-0933C84B4F4F, name="swap"',
        'start=395264, size=2091008, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name="root"',
        'start=2486272, size=614400, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name="srv"',
        '',
      ].join('\n'),
    );
  });

  it('gpt without grub marks the boot partition LegacyBIOSBootable', () => {
    const l = planLayout(
      { type: 'gpt', root: { filesystem: 'ext4', size: '1GiB' } },
      { bootloader: 'extlinux', bootMode: 'bios' },
    );
    assert.match(
      sfdiskScript(l),
      /^start=2048, size=2093056, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name="root", attrs="LegacyBIOSBootable"$/m,
    );
  });

  it('msdos: type bytes and the bootable flag', () => {
    assert.equal(
      sfdiskScript(msdos),
      [
        'label: dos',
        'unit: sectors',
        'sector-size: 512',
        '',
        'start=2048, size=262144, type=83, bootable',
        'start=264192, size=131072, type=82',
        'start=395264, size=2095104, type=83',
        '',
      ].join('\n'),
    );
  });

  it('none has no table', () => {
    const none = planLayout(
      { type: 'none', root: { filesystem: 'ext4', size: '1GiB' } },
      { bootloader: 'none', bootMode: 'bios' },
    );
    assert.throws(() => sfdiskScript(none), /no partition table/);
  });
});

describe('parseSfdiskJson', () => {
  it('gpt: partition UUIDs, lower case, numbered from the node', () => {
    const json = JSON.stringify({
      partitiontable: {
        label: 'gpt',
        id: 'X',
        partitions: [
          { node: '/dev/loop3p1', start: 2048, size: 2048, uuid: 'AAAA-1' },
          { node: '/dev/loop3p2', start: 4096, size: 100, uuid: 'BBBB-2' },
        ],
      },
    });
    assert.deepEqual(parseSfdiskJson(json), [
      { number: 1, startBytes: 2048 * 512, sizeBytes: 2048 * 512, partuuid: 'aaaa-1' },
      { number: 2, startBytes: 4096 * 512, sizeBytes: 100 * 512, partuuid: 'bbbb-2' },
    ]);
  });

  it('dos: PARTUUID is the disk id and the hex partition number, as the kernel makes it', () => {
    const json = JSON.stringify({
      partitiontable: {
        label: 'dos',
        id: '0x0A1B2C3D',
        partitions: [{ node: '/tmp/img12', start: 2048, size: 10 }],
      },
    });
    assert.equal(parseSfdiskJson(json)[0]?.partuuid, '0a1b2c3d-0c');
  });
});

describe('PartitionTable', () => {
  it('writes the script through sfdisk stdin, reads back, and refuses a second write', async () => {
    const runner = createRecordingRunner();
    const table = new PartitionTable(hybrid, runner);
    const written = await table.write('/dev/loop7');
    assert.deepEqual(runner.lines(), [
      'sfdisk --quiet --wipe always --wipe-partitions always /dev/loop7',
      'sfdisk --json /dev/loop7',
    ]);
    assert.equal(runner.calls[0]?.options.input, sfdiskScript(hybrid));
    assert.equal(written.length, hybrid.partitions.length);
    assert.equal(table.state, 'written');
    await assert.rejects(() => table.write('/dev/loop7'), IllegalTransitionError);
  });

  it('fails when the table read back differs from the plan', async () => {
    const runner = createRecordingRunner({
      dryRun: false,
      results: (argv) =>
        argv.includes('--json')
          ? {
              stdout: JSON.stringify({
                partitiontable: {
                  label: 'dos',
                  id: '0x1',
                  partitions: [{ node: '/dev/loop0p1', start: 63, size: 262144 }],
                },
              }),
            }
          : undefined,
    });
    await assert.rejects(
      () => new PartitionTable(msdos, runner).write('/dev/loop0'),
      /partition 1 \(boot\) on \/dev\/loop0 is not where it was planned/,
    );
  });
});

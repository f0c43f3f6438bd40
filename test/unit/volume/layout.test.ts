import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PartitionsSpec } from '../../../src/api/manifest.js';
import { GiB, MiB } from '../../../src/api/size.js';
import {
  DEFAULT_ESP_SIZE,
  LayoutError,
  extraPartitionNames,
  planLayout,
  roundUpToGiB,
  type VolumeLayout,
} from '../../../src/volume/layout.js';

const gptFull: PartitionsSpec = {
  type: 'gpt',
  boot: { filesystem: 'ext2', size: '256MiB' },
  swap: { size: '512MiB' },
  root: { filesystem: 'ext4', size: '4GiB', mountopts: ['noatime'] },
  var: { filesystem: 'xfs', size: '1GiB', format_command: ['mkfs.xfs', '{device_path}'] },
  tmp: { filesystem: 'ext4', size: '128MiB' },
};

/** Invariants every layout must keep: aligned, in order, no overlap, inside the volume. */
function assertSane(layout: VolumeLayout): void {
  let end = 0;
  for (const p of layout.partitions) {
    if (layout.partitionMap !== 'none') {
      assert.equal(p.startBytes % MiB, 0, `${p.name} start aligned`);
      assert.equal(p.sizeBytes % MiB, 0, `${p.name} size aligned`);
      assert.ok(
        p.startBytes >= Math.max(end, MiB),
        `${p.name} starts after the lead-in and the previous partition`,
      );
    }
    end = p.startBytes + p.sizeBytes;
  }
  const tail = layout.partitionMap === 'gpt' ? MiB : 0;
  assert.ok(end <= layout.sizeBytes - tail, `partitions end at ${end}, inside ${layout.sizeBytes} - ${tail}`);
  assert.deepEqual(
    layout.partitions.map((p) => p.number),
    layout.partitions.map((_, i) => (layout.partitionMap === 'none' ? 0 : i + 1)),
  );
}

const names = (l: VolumeLayout) => l.partitions.map((p) => p.name);
const byName = (l: VolumeLayout, name: string) => {
  const p = l.partitions.find((x) => x.name === name);
  assert.ok(p, `partition ${name}`);
  return p;
};

describe('planLayout: gpt', () => {
  it('grub + bios: bios_grub first at 1 MiB, root takes the table overhead, total is the declared size', () => {
    const l = planLayout(
      { type: 'gpt', root: { filesystem: 'ext4', size: '8GiB' } },
      { bootloader: 'grub', bootMode: 'bios' },
    );
    assertSane(l);
    assert.deepEqual(names(l), ['bios_grub', 'root']);
    assert.equal(l.sizeBytes, 8 * GiB);
    assert.deepEqual(l.partitions[0], {
      name: 'bios_grub',
      number: 1,
      startBytes: MiB,
      sizeBytes: MiB,
      bootable: false,
    });
    assert.equal(byName(l, 'root').startBytes, 2 * MiB);
    assert.equal(byName(l, 'root').sizeBytes, 8 * GiB - 3 * MiB);
    assert.equal(byName(l, 'root').mountpoint, '/');
    assert.equal(byName(l, 'root').bootable, false, 'gpt with grub sets no legacy_boot');
  });

  it('hybrid: bios_grub, ESP, boot, swap, root, then extras in manifest order', () => {
    const l = planLayout(gptFull, { bootloader: 'grub', bootMode: 'hybrid' });
    assertSane(l);
    assert.deepEqual(names(l), ['bios_grub', 'efi', 'boot', 'swap', 'root', 'var', 'tmp']);
    const declared = 256 * MiB + 512 * MiB + 4 * GiB + GiB + 128 * MiB;
    assert.equal(l.sizeBytes, declared + DEFAULT_ESP_SIZE);
    const efi = byName(l, 'efi');
    assert.equal(efi.sizeBytes, 127 * MiB);
    assert.equal(efi.startBytes, 2 * MiB);
    assert.equal(efi.filesystem, 'vfat');
    assert.equal(efi.mountpoint, '/boot/efi');
    assert.equal(byName(l, 'boot').sizeBytes, 256 * MiB);
    assert.equal(byName(l, 'swap').filesystem, 'swap');
    assert.equal(byName(l, 'swap').mountpoint, undefined);
    assert.equal(byName(l, 'root').sizeBytes, 4 * GiB - 3 * MiB);
    assert.deepEqual(byName(l, 'root').mountopts, ['noatime']);
    assert.equal(byName(l, 'var').mountpoint, '/var');
    assert.deepEqual(byName(l, 'var').formatCommand, ['mkfs.xfs', '{device_path}']);
    assert.equal(byName(l, 'tmp').sizeBytes, 128 * MiB);
  });

  it('uefi only: no bios_grub, the ESP comes first; its size can be overridden', () => {
    const l = planLayout(
      { type: 'gpt', efi: { size: '256MiB' }, root: { filesystem: 'ext4', size: '2GiB' } },
      { bootloader: 'grub', bootMode: 'uefi' },
    );
    assertSane(l);
    assert.deepEqual(names(l), ['efi', 'root']);
    assert.equal(byName(l, 'efi').startBytes, MiB);
    assert.equal(byName(l, 'efi').sizeBytes, 256 * MiB);
    assert.equal(l.sizeBytes, 2 * GiB + 256 * MiB);
    assert.equal(byName(l, 'root').sizeBytes, 2 * GiB - 2 * MiB);
  });

  it('bios without grub (extlinux): no bios_grub, legacy_boot on boot, else on root', () => {
    const withBoot = planLayout(
      {
        type: 'gpt',
        boot: { filesystem: 'ext2', size: '64MiB' },
        root: { filesystem: 'ext4', size: '1GiB' },
      },
      { bootloader: 'extlinux', bootMode: 'bios' },
    );
    assertSane(withBoot);
    assert.deepEqual(names(withBoot), ['boot', 'root']);
    assert.deepEqual(
      withBoot.partitions.map((p) => p.bootable),
      [true, false],
    );
    const rootOnly = planLayout(
      { type: 'gpt', root: { filesystem: 'ext4', size: '1GiB' } },
      { bootloader: 'extlinux', bootMode: 'bios' },
    );
    assert.equal(byName(rootOnly, 'root').bootable, true);
  });

  it('a provider-imposed volume size (EBS, whole GiB) goes to root', () => {
    const opts = { bootloader: 'grub', bootMode: 'hybrid' } as const;
    const spec: PartitionsSpec = { type: 'gpt', root: { filesystem: 'ext4', size: '8GiB' } };
    const planned = planLayout(spec, opts);
    assert.equal(planned.sizeBytes, 8 * GiB + 127 * MiB);
    const ebs = planLayout(spec, { ...opts, volumeSize: roundUpToGiB(planned.sizeBytes) });
    assertSane(ebs);
    assert.equal(ebs.sizeBytes, 9 * GiB);
    assert.equal(byName(ebs, 'root').sizeBytes, 9 * GiB - 127 * MiB - 3 * MiB);
    assert.throws(
      () => planLayout(spec, { ...opts, volumeSize: 8 * GiB }),
      /smaller than the partitions need/,
    );
  });

  it('rounds odd declared sizes up to whole MiB', () => {
    const l = planLayout(
      {
        type: 'gpt',
        root: { filesystem: 'ext4', size: '1GiB' },
        data: { filesystem: 'ext4', size: '1000KiB' },
      },
      { bootloader: 'grub', bootMode: 'bios' },
    );
    assertSane(l);
    assert.equal(byName(l, 'data').sizeBytes, MiB);
    assert.equal(l.sizeBytes, GiB + MiB);
  });
});

describe('planLayout: msdos and none', () => {
  it('msdos: boot, swap, root with the boot flag on boot; root pays the 1 MiB lead-in', () => {
    const l = planLayout(
      {
        type: 'msdos',
        boot: { filesystem: 'ext2', size: '128MiB' },
        swap: { size: '256MiB' },
        root: { filesystem: 'ext4', size: '2GiB' },
      },
      { bootloader: 'grub', bootMode: 'bios' },
    );
    assertSane(l);
    assert.deepEqual(names(l), ['boot', 'swap', 'root']);
    assert.deepEqual(
      l.partitions.map((p) => [p.startBytes / MiB, p.sizeBytes / MiB, p.bootable]),
      [
        [1, 128, true],
        [129, 256, false],
        [385, 2047, false],
      ],
    );
    assert.equal(l.sizeBytes, 2 * GiB + 384 * MiB);
  });

  it('msdos without boot: the boot flag goes on root', () => {
    const l = planLayout(
      { type: 'msdos', root: { filesystem: 'ext4', size: '1GiB' } },
      { bootloader: 'grub', bootMode: 'bios' },
    );
    assert.equal(byName(l, 'root').bootable, true);
    assert.equal(byName(l, 'root').startBytes, MiB);
  });

  it('none: the whole volume is root, number 0 at offset 0', () => {
    const l = planLayout(
      { type: 'none', root: { filesystem: 'ext4', size: '1GiB' } },
      { bootloader: 'none', bootMode: 'bios' },
    );
    assert.deepEqual(l, {
      partitionMap: 'none',
      sizeBytes: GiB,
      partitions: [
        {
          name: 'root',
          number: 0,
          startBytes: 0,
          sizeBytes: GiB,
          bootable: false,
          filesystem: 'ext4',
          mountpoint: '/',
        },
      ],
    });
  });
});

describe('planLayout: errors point at the manifest', () => {
  const err = (fn: () => unknown, pointer: string, message: RegExp) =>
    assert.throws(
      fn,
      (e: unknown) => e instanceof LayoutError && e.pointer === pointer && message.test(e.message),
    );

  it('uefi and hybrid need gpt', () => {
    for (const bootMode of ['uefi', 'hybrid'] as const) {
      err(
        () =>
          planLayout(
            { type: 'msdos', root: { filesystem: 'ext4', size: '1GiB' } },
            { bootloader: 'grub', bootMode },
          ),
        '/volume/partitions/type',
        new RegExp(`boot_mode "${bootMode}" needs a gpt partition map`),
      );
    }
  });

  it('named extras need gpt', () => {
    err(
      () =>
        planLayout(
          {
            type: 'msdos',
            root: { filesystem: 'ext4', size: '1GiB' },
            var: { filesystem: 'ext4', size: '1GiB' },
          },
          { bootloader: 'grub', bootMode: 'bios' },
        ),
      '/volume/partitions/var',
      /need a gpt partition map/,
    );
  });

  it('a bad size, a too small ESP, a too small xfs, a root eaten by overhead', () => {
    const opts = { bootloader: 'grub', bootMode: 'hybrid' } as const;
    err(
      () => planLayout({ type: 'gpt', root: { filesystem: 'ext4', size: '8GB2' } }, opts),
      '/volume/partitions/root/size',
      /invalid size "8GB2"/,
    );
    err(
      () =>
        planLayout({ type: 'gpt', efi: { size: '16MiB' }, root: { filesystem: 'ext4', size: '1GiB' } }, opts),
      '/volume/partitions/efi/size',
      /at least 32MiB/,
    );
    err(
      () =>
        planLayout(
          {
            type: 'gpt',
            root: { filesystem: 'ext4', size: '1GiB' },
            srv: { filesystem: 'xfs', size: '100MiB' },
          },
          opts,
        ),
      '/volume/partitions/srv/size',
      /xfs needs at least 300MiB/,
    );
    err(
      () => planLayout({ type: 'gpt', root: { filesystem: 'ext4', size: '3MiB' } }, opts),
      '/volume/partitions/root/size',
      /too small/,
    );
  });

  it('unsafe extra names are refused (they become GPT names and mount points)', () => {
    err(
      () =>
        planLayout(
          {
            type: 'gpt',
            root: { filesystem: 'ext4', size: '1GiB' },
            '../etc': { filesystem: 'ext4', size: '1GiB' },
          },
          { bootloader: 'grub', bootMode: 'bios' },
        ),
      '/volume/partitions/../etc',
      /partition name/,
    );
  });
});

describe('helpers', () => {
  it('roundUpToGiB: whole GiB, at least 1', () => {
    assert.equal(roundUpToGiB(0), GiB);
    assert.equal(roundUpToGiB(1), GiB);
    assert.equal(roundUpToGiB(GiB), GiB);
    assert.equal(roundUpToGiB(GiB + 1), 2 * GiB);
  });

  it('extraPartitionNames skips the reserved keys', () => {
    assert.deepEqual(extraPartitionNames({ ...gptFull, efi: { size: '64MiB' } }), ['var', 'tmp']);
  });
});

it('named gpt partitions may be paths like bootstrap-vz var/tmp, never escaping the root', () => {
  const spec = {
    type: 'gpt',
    root: { filesystem: 'ext4', size: '2GiB' },
    var: { filesystem: 'ext4', size: '1GiB' },
    'var/tmp': { filesystem: 'ext4', size: '1GiB' },
  } as const;
  const layout = planLayout(spec as unknown as PartitionsSpec, { bootloader: 'grub', bootMode: 'bios' });
  assert.equal(layout.partitions.find((p) => p.name === 'var/tmp')?.mountpoint, '/var/tmp');
  for (const bad of ['../etc', 'var/..', '/abs', 'a//b']) {
    const withBad = { ...spec, [bad]: { filesystem: 'ext4', size: '1GiB' } } as unknown as PartitionsSpec;
    assert.throws(() => planLayout(withBad, { bootloader: 'grub', bootMode: 'bios' }), LayoutError, bad);
  }
});

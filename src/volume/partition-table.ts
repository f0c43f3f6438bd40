/**
 * Writes the planned layout as a partition table with one `sfdisk` call fed a generated script (no
 * parted: sfdisk takes exact sectors, sets types, names and attributes in the same step, and works on
 * a file or a block device), then reads it back to check it and to learn the partition UUIDs.
 * States: unwritten -> written. There is no undo: the table lives inside the volume, and deleting the
 * volume (image file or EBS volume) removes it.
 */
import type { CommandRunner } from '../api/runner.js';
import { BuildError } from '../api/task.js';
import { SECTOR_SIZE, type PlannedPartition, type VolumeLayout } from './layout.js';
import { StateMachine } from './state-machine.js';

/** GPT partition type GUIDs (UEFI spec and the Discoverable Partitions Specification). */
export const GPT_TYPES = {
  bios_grub: '21686148-6449-6E6F-744E-656564454649',
  efi: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B',
  linux: '0FC63DAF-8483-4772-8E79-3D69D8477DE4',
  swap: '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F',
} as const;

/** MBR partition type bytes. */
export const MSDOS_TYPES = { linux: '83', swap: '82', efi: 'ef' } as const;

export interface WrittenPartition {
  readonly number: number;
  readonly startBytes: number;
  readonly sizeBytes: number;
  /** GPT: the partition's unique GUID; msdos: `<disk id>-<nn>` as the kernel's PARTUUID. */
  readonly partuuid: string;
}

function typeOf(p: PlannedPartition, map: 'msdos' | 'gpt'): string {
  const kind =
    p.name === 'bios_grub'
      ? 'bios_grub'
      : p.name === 'efi'
        ? 'efi'
        : p.filesystem === 'swap'
          ? 'swap'
          : 'linux';
  if (map === 'gpt') return GPT_TYPES[kind];
  if (kind === 'bios_grub') throw new Error('a bios_grub partition cannot be on an msdos label');
  return MSDOS_TYPES[kind];
}

/** The sfdisk script for a layout: label, then one line per partition in sectors. */
export function sfdiskScript(layout: VolumeLayout): string {
  if (layout.partitionMap === 'none') throw new Error('an unpartitioned volume has no partition table');
  const map = layout.partitionMap;
  const lines = [
    `label: ${map === 'gpt' ? 'gpt' : 'dos'}`,
    'unit: sectors',
    `sector-size: ${SECTOR_SIZE}`,
    '',
  ];
  for (const p of layout.partitions) {
    const fields = [
      `start=${p.startBytes / SECTOR_SIZE}`,
      `size=${p.sizeBytes / SECTOR_SIZE}`,
      `type=${typeOf(p, map)}`,
    ];
    if (map === 'gpt') {
      // Names are checked by the layout (letters, digits, _ . -), so quoting cannot break.
      fields.push(`name="${p.name}"`);
      if (p.bootable) fields.push('attrs="LegacyBIOSBootable"');
    } else if (p.bootable) {
      fields.push('bootable');
    }
    lines.push(fields.join(', '));
  }
  return lines.join('\n') + '\n';
}

interface SfdiskJson {
  readonly partitiontable: {
    readonly label: string;
    readonly id?: string;
    readonly partitions?: readonly { node: string; start: number; size: number; uuid?: string }[];
  };
}

/** Parses `sfdisk --json`; msdos PARTUUIDs are derived from the disk id like the kernel does (%08x-%02x). */
export function parseSfdiskJson(text: string): WrittenPartition[] {
  const table = (JSON.parse(text) as SfdiskJson).partitiontable;
  const diskId = (table.id ?? '').replace(/^0x/i, '').toLowerCase().padStart(8, '0');
  return (table.partitions ?? []).map((p, i) => {
    const number = Number(/(\d+)$/.exec(p.node)?.[1] ?? i + 1);
    const partuuid =
      table.label === 'gpt'
        ? (p.uuid ?? '').toLowerCase()
        : `${diskId}-${number.toString(16).padStart(2, '0')}`;
    return { number, startBytes: p.start * SECTOR_SIZE, sizeBytes: p.size * SECTOR_SIZE, partuuid };
  });
}

/** What `sfdisk --json` would print for the layout, so a dry run can keep going. */
function dryRunJson(layout: VolumeLayout, device: string): string {
  const gpt = layout.partitionMap === 'gpt';
  const partitions = layout.partitions.map((p) => ({
    node: `${device}p${p.number}`,
    start: p.startBytes / SECTOR_SIZE,
    size: p.sizeBytes / SECTOR_SIZE,
    ...(gpt ? { uuid: `00000000-0000-4000-8000-${p.number.toString().padStart(12, '0')}` } : {}),
  }));
  return JSON.stringify({
    partitiontable: { label: gpt ? 'gpt' : 'dos', id: gpt ? undefined : '0x00000000', partitions },
  });
}

export class PartitionTable {
  readonly #fsm: StateMachine<'unwritten' | 'written', 'write'>;

  constructor(
    readonly layout: VolumeLayout,
    private readonly runner: CommandRunner,
  ) {
    this.#fsm = new StateMachine(`${layout.partitionMap} partition table`, 'unwritten', {
      write: { from: ['unwritten'], to: 'written' },
    });
  }

  get state(): 'unwritten' | 'written' {
    return this.#fsm.state;
  }

  /** Writes the table to `device` (a block device or the image file) and returns what was written. */
  async write(device: string): Promise<WrittenPartition[]> {
    this.#fsm.assert('write');
    // --wipe removes old filesystem/RAID signatures that would confuse blkid on a reused volume.
    await this.runner.run(['sfdisk', '--quiet', '--wipe', 'always', '--wipe-partitions', 'always', device], {
      input: sfdiskScript(this.layout),
    });
    this.#fsm.fire('write');
    return this.readBack(device);
  }

  /** Reads the table back, checks it against the layout, and returns the partition UUIDs. */
  async readBack(device: string): Promise<WrittenPartition[]> {
    const { stdout } = await this.runner.run(['sfdisk', '--json', device], {
      dryRunResult: { stdout: dryRunJson(this.layout, device) },
    });
    const written = parseSfdiskJson(stdout);
    for (const p of this.layout.partitions) {
      const w = written.find((x) => x.number === p.number);
      if (!w || w.startBytes !== p.startBytes || w.sizeBytes !== p.sizeBytes) {
        throw new BuildError(
          `partition ${p.number} (${p.name}) on ${device} is not where it was planned: ` +
            `expected start ${p.startBytes} size ${p.sizeBytes}, found ${w ? `start ${w.startBytes} size ${w.sizeBytes}` : 'nothing'}`,
        );
      }
    }
    return written;
  }
}

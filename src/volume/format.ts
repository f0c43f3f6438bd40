/**
 * Formats partitions: mkfs per filesystem, or the manifest's `format_command` with bootstrap-vz's
 * placeholders substituted inside each argv element (never through a shell), then reads the
 * filesystem UUID that fstab and the bootloader refer to.
 * Each partition goes unformatted -> formatted once; formatting it again throws.
 */
import type { LogLevel } from '../api/events.js';
import type { CommandRunner } from '../api/runner.js';
import { formatSize } from '../api/size.js';
import { BuildError } from '../api/task.js';
import type { PlannedPartition } from './layout.js';
import { IllegalTransitionError } from './state-machine.js';

export interface FormatTarget {
  readonly name: string;
  readonly filesystem?: PlannedPartition['filesystem'];
  readonly sizeBytes: number;
  readonly formatCommand?: readonly string[];
  /** Host node to format, e.g. /dev/loop0p3. */
  readonly device: string;
}

export interface FormatVariables {
  readonly fs: string;
  readonly device_path: string;
  readonly size: string;
}

/**
 * Substitutes `{fs}`, `{device_path}` and `{size}` in each element, as bootstrap-vz's
 * `part.format(**variables)` did (`{{` and `}}` are literal braces; `{size}` reads like `8GiB`).
 */
export function substituteFormatCommand(command: readonly string[], vars: FormatVariables): string[] {
  return command.map((part) =>
    part.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (token, key: string | undefined) => {
      if (token === '{{') return '{';
      if (token === '}}') return '}';
      if (key === 'fs' || key === 'device_path' || key === 'size') return vars[key];
      throw new BuildError(
        `format_command element "${part}" uses an unknown placeholder "${token}"`,
        'the placeholders are {fs}, {device_path} and {size}; write {{ and }} for literal braces',
      );
    }),
  );
}

/**
 * e2fsprogs 1.47 can make (and trixie's enables by default) `orphan_file` and `metadata_csum_seed`.
 * e2fsck before 1.47 (bullseye and older) refuses orphan_file, and GRUB before 2.12 cannot read
 * metadata_csum_seed, so an image for those targets would fail its boot-time fsck or grub. Turning
 * them off costs nothing, so it is done whenever the host's mke2fs knows them.
 */
export const EXT4_COMPAT_OFF = '^orphan_file,^metadata_csum_seed';

/** The mkfs argv for a partition (no format_command); undefined for bios_grub, which stays raw. */
export function mkfsArgv(
  p: FormatTarget,
  opts: { readonly ext4Compat?: boolean } = {},
): string[] | undefined {
  const label = (max: number): string => p.name.slice(0, max);
  switch (p.filesystem) {
    case undefined:
      return undefined;
    case 'ext2':
    case 'ext3':
    case 'ext4':
      return [
        `mkfs.${p.filesystem}`,
        '-q',
        '-L',
        label(16),
        ...(opts.ext4Compat ? ['-O', EXT4_COMPAT_OFF] : []),
        p.device,
      ];
    case 'xfs':
      return ['mkfs.xfs', '-f', '-q', '-L', label(12), p.device];
    case 'btrfs':
      return ['mkfs.btrfs', '-f', '-q', '-L', label(255), p.device];
    case 'vfat':
      return ['mkfs.vfat', '-F', '32', '-n', 'EFI', p.device];
    case 'swap':
      return ['mkswap', '-L', label(15), p.device];
  }
}

/** Parses `mke2fs -V` ("mke2fs 1.47.0 (5-Feb-2023)") and says whether it knows the 1.47 features. */
export function mke2fsKnowsNewFeatures(versionOutput: string): boolean {
  const m = /mke2fs (\d+)\.(\d+)/.exec(versionOutput);
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > 1 || (major === 1 && minor >= 47);
}

export class Formatter {
  readonly #formatted = new Set<string>();
  #ext4Compat: Promise<boolean> | undefined;

  constructor(
    private readonly runner: CommandRunner,
    private readonly log: (level: LogLevel, message: string) => void = () => {},
  ) {}

  /** Formats the partition and returns its filesystem UUID (undefined for bios_grub). */
  async format(p: FormatTarget): Promise<string | undefined> {
    if (this.#formatted.has(p.device)) {
      throw new IllegalTransitionError(`partition ${p.name} (${p.device})`, 'format', 'formatted', [
        'unformatted',
      ]);
    }
    const argv = p.formatCommand
      ? substituteFormatCommand(p.formatCommand, {
          fs: p.filesystem ?? '',
          device_path: p.device,
          size: formatSize(p.sizeBytes),
        })
      : mkfsArgv(p, { ext4Compat: /^ext[234]$/.test(p.filesystem ?? '') && (await this.#probeExt4()) });
    if (argv === undefined) return undefined;
    await this.runner.run(argv);
    this.#formatted.add(p.device);
    return this.readUuid(p.device);
  }

  /** Filesystem UUID; `-p` probes the device itself, since blkid's cache is stale without udev. */
  async readUuid(device: string): Promise<string> {
    const { stdout } = await this.runner.run(['blkid', '-p', '-s', 'UUID', '-o', 'value', device], {
      dryRunResult: { stdout: '00000000-0000-4000-8000-000000000000\n' },
    });
    const uuid = stdout.trim();
    if (!uuid) throw new BuildError(`blkid found no filesystem UUID on ${device}`);
    return uuid;
  }

  #probeExt4(): Promise<boolean> {
    this.#ext4Compat ??= this.runner.run(['mke2fs', '-V']).then(
      (r) => mke2fsKnowsNewFeatures(r.stdout + r.stderr),
      () => {
        this.log('warn', 'mke2fs -V failed; formatting ext filesystems with the host defaults');
        return false;
      },
    );
    return this.#ext4Compat;
  }
}

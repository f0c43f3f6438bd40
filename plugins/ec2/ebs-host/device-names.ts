/**
 * Device names for the build volume. EC2 recommends /dev/sd[f-p] for EBS data volumes on HVM
 * instances; the kernel names them /dev/xvdX on Xen instances and NVMe on Nitro, so a name counts as
 * used when the instance's block device mapping has it under either spelling, when /dev has it, or
 * when another build holds its lock.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { BuildError } from '../../../src/api/index.js';
import { tryLockDevice, type DeviceLock } from './device-lock.js';

export const CANDIDATE_LETTERS = 'fghijklmnop';

/** `sdf`, `/dev/sdf`, `xvdf` and `/dev/xvdf` all name letter `f`. */
export function deviceLetter(name: string): string | undefined {
  return /^(?:\/dev\/)?(?:sd|xvd)([a-z]{1,2})$/.exec(name)?.[1];
}

export interface AllocateOptions {
  /** Names in the instance's block device mappings (DescribeInstances), in any spelling. */
  readonly mapped: readonly string[];
  /** Default /dev. */
  readonly devRoot?: string;
  readonly lockDir?: string;
  readonly letters?: string;
}

export async function allocateDeviceName(opts: AllocateOptions): Promise<DeviceLock> {
  const mapped = new Set(opts.mapped.map(deviceLetter).filter((l): l is string => l !== undefined));
  const devRoot = opts.devRoot ?? '/dev';
  for (const letter of opts.letters ?? CANDIDATE_LETTERS) {
    if (mapped.has(letter)) continue;
    const present = await Promise.all(
      [`sd${letter}`, `xvd${letter}`].map((n) =>
        access(join(devRoot, n)).then(
          () => true,
          () => false,
        ),
      ),
    );
    if (present.some(Boolean)) continue;
    const lock = await tryLockDevice(`sd${letter}`, opts.lockDir ? { dir: opts.lockDir } : {});
    if (lock) return lock;
  }
  throw new BuildError(
    `no free EBS device name among /dev/sd[${opts.letters ?? CANDIDATE_LETTERS}] on this instance`,
    'detach volumes left by earlier builds (bootstrap cleanup) or wait for other builds to finish',
  );
}

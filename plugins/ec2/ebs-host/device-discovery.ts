/**
 * Finds the block device of an attached EBS volume. Xen instances show it as /dev/xvdX (or /dev/sdX)
 * for the requested /dev/sdX; Nitro instances as /dev/nvmeNn1 in attach order, so the name says
 * nothing there and the volume is recognised by its NVMe serial, which EBS sets to the volume id
 * without the dash (`vol0123...`, what amazon-ec2-utils' ebsnvme-id reads). The NVMe serial is
 * checked first: on Nitro a udev rule may also have made /dev/sdX a symlink to it, and both agree.
 * The device appears a moment after AttachVolume reports `attached`, so the wait is bounded.
 */
import { readdir, readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BuildError } from '../../../src/api/index.js';
import { deviceLetter } from './device-names.js';

export interface DiscoveryOptions {
  readonly volumeId: string;
  /** The name given to AttachVolume, e.g. /dev/sdf. */
  readonly requestedName: string;
  readonly devRoot?: string;
  readonly sysRoot?: string;
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  readonly signal?: AbortSignal;
}

/** `vol-0abc` -> `vol0abc`, as in the NVMe serial. */
export function nvmeSerial(volumeId: string): string {
  return volumeId.replace('-', '');
}

async function nvmeMatch(sysRoot: string, volumeId: string): Promise<string | undefined> {
  const want = nvmeSerial(volumeId);
  const names = await readdir(join(sysRoot, 'block')).catch(() => [] as string[]);
  for (const name of names.filter((n) => /^nvme\d+n\d+$/.test(n)).sort()) {
    const serial = await readFile(join(sysRoot, 'block', name, 'device', 'serial'), 'utf8').catch(() => '');
    if (serial.trim() === want) return name;
  }
  return undefined;
}

/** One look: the device node path, or undefined when it is not there yet. */
export async function findDeviceOnce(opts: DiscoveryOptions): Promise<string | undefined> {
  const devRoot = opts.devRoot ?? '/dev';
  const nvme = await nvmeMatch(opts.sysRoot ?? '/sys', opts.volumeId);
  const letter = deviceLetter(opts.requestedName);
  const names = [...(nvme ? [nvme] : []), ...(letter ? [`xvd${letter}`, `sd${letter}`] : [])];
  for (const name of names) {
    // Resolve symlinks (udev's /dev/sdf -> nvme1n1): partition nodes are named after the real disk.
    const path = await realpath(join(devRoot, name)).catch(() => undefined);
    if (path !== undefined) return path;
  }
  return undefined;
}

export async function waitForDevice(opts: DiscoveryOptions): Promise<string> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    opts.signal?.throwIfAborted();
    const found = await findDeviceOnce(opts);
    if (found !== undefined) return found;
    if (Date.now() >= deadline) {
      const letter = deviceLetter(opts.requestedName) ?? '?';
      throw new BuildError(
        `${opts.volumeId} is attached as ${opts.requestedName} but no block device appeared within ${Math.round(timeoutMs / 1000)} s ` +
          `(looked for /dev/xvd${letter}, /dev/sd${letter} and an NVMe disk with serial ${nvmeSerial(opts.volumeId)})`,
        'check dmesg on the build instance',
      );
    }
    await sleep(opts.intervalMs ?? 250, undefined, opts.signal ? { signal: opts.signal } : {});
  }
}

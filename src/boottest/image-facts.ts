/**
 * Reads the few files the freshness checks compare against (machine-id, the ed25519 host key) straight
 * from a raw image, read-only and without loop devices or mounts: sfdisk lists the partitions and
 * debugfs (e2fsprogs, opened read-only) reads ext2/3/4 at the partition's byte offset. Anything else
 * (qcow2, xfs, btrfs) is reported unreadable and the checks say they did not compare.
 */
import type { CommandRunner } from '../api/index.js';
import type { ImageFacts } from './checks.js';
import type { GuestArch } from './qemu-argv.js';

const UNREADABLE: ImageFacts = { readable: false };

export async function readImageFacts(
  runner: CommandRunner,
  image: string,
  format: 'raw' | 'qcow2',
): Promise<ImageFacts> {
  if (format !== 'raw') return UNREADABLE;
  try {
    for (const offset of await partitionOffsets(runner, image)) {
      const target = `${image}?offset=${offset}`;
      const etc = await debugfs(runner, target, 'ls /etc');
      if (!/\bfstab\b/.test(etc)) continue;
      const machineId = (await debugfs(runner, target, 'cat /etc/machine-id')).trim();
      const hostKeyPub = (await debugfs(runner, target, 'cat /etc/ssh/ssh_host_ed25519_key.pub')).trim();
      return { readable: true, machineId: machineId || undefined, hostKeyPub: hostKeyPub || undefined };
    }
  } catch {
    // A tool missing or an odd layout only means the comparison is not made; the checks say so.
  }
  return UNREADABLE;
}

/**
 * The image's architecture, from its multiarch library directory (/usr/lib/aarch64-linux-gnu or
 * x86_64-linux-gnu); undefined when it cannot be read (qcow2, not ext*, no such directory).
 */
export async function readImageArchitecture(
  runner: CommandRunner,
  image: string,
): Promise<GuestArch | undefined> {
  try {
    for (const offset of await partitionOffsets(runner, image)) {
      const lib = await debugfs(runner, `${image}?offset=${offset}`, 'ls /usr/lib');
      if (/\baarch64-linux-gnu\b/.test(lib)) return 'arm64';
      if (/\bx86_64-linux-gnu\b/.test(lib)) return 'amd64';
    }
  } catch {
    // unreadable: the caller falls back to its default
  }
  return undefined;
}

/** Byte offsets of the image's partitions, or [0] for a filesystem without a partition table. */
export async function partitionOffsets(runner: CommandRunner, image: string): Promise<number[]> {
  const r = await runner.run(['sfdisk', '--json', image], { okExitCodes: [0, 1] });
  if (r.exitCode !== 0 || !r.stdout.trim()) return [0];
  return parseSfdiskOffsets(r.stdout);
}

export function parseSfdiskOffsets(json: string): number[] {
  const table = (
    JSON.parse(json) as { partitiontable?: { sectorsize?: number; partitions?: { start: number }[] } }
  ).partitiontable;
  const sector = table?.sectorsize ?? 512;
  return (table?.partitions ?? []).map((p) => p.start * sector);
}

async function debugfs(runner: CommandRunner, target: string, request: string): Promise<string> {
  // debugfs exits 0 even when a file is missing (it says so on stderr), so stdout is the answer.
  const r = await runner.run(['debugfs', '-R', request, target], { okExitCodes: [0, 1], timeoutMs: 30_000 });
  return r.exitCode === 0 ? r.stdout : '';
}

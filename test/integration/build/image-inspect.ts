/**
 * Read-only inspection of a built image for integration tests: partition table, and the root
 * filesystem mounted read-only from a read-only loop device, always released afterwards.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SfdiskPartition {
  readonly node: string;
  readonly start: number;
  readonly size: number;
  readonly type: string;
  readonly name?: string;
}

export function partitionTable(image: string): { label: string; partitions: SfdiskPartition[] } {
  const out = execFileSync('sfdisk', ['--json', image], { encoding: 'utf8' });
  return (JSON.parse(out) as { partitiontable: { label: string; partitions: SfdiskPartition[] } })
    .partitiontable;
}

/** Attaches the image read-only, mounts partition `number` read-only, runs fn, then releases both. */
export function withMountedPartition<T>(image: string, number: number, fn: (dir: string) => T): T {
  const loop = execFileSync('losetup', ['--find', '--show', '--read-only', '--partscan', image], {
    encoding: 'utf8',
  }).trim();
  const dir = mkdtempSync(join(tmpdir(), 'inspect-'));
  let mounted = false;
  try {
    execFileSync('partx', ['-u', loop], { stdio: 'ignore' });
    const dev = `${loop}p${number}`;
    for (let i = 0; i < 50 && !existsBlock(dev); i++) execFileSync('sleep', ['0.1']);
    execFileSync('mount', ['-o', 'ro', dev, dir]);
    mounted = true;
    return fn(dir);
  } finally {
    if (mounted) execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
    execFileSync('losetup', ['-d', loop]);
  }
}

function existsBlock(path: string): boolean {
  try {
    execFileSync('test', ['-b', path]);
    return true;
  } catch {
    return false;
  }
}

/** Files in the FAT filesystem of partition `number`, listed with mtools (no vfat mount needed). */
export function espFiles(image: string, offsetBytes: number): string {
  return execFileSync('mdir', ['-/', '-b', '-i', `${image}@@${offsetBytes}`, '::/'], { encoding: 'utf8' });
}

/** Loop devices and mounts that mention `needle`: what a leak check looks for. */
export function leftovers(needle: string): { loops: string[]; mounts: string[] } {
  const loops = execFileSync('losetup', ['-a'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(needle));
  const mounts = execFileSync('findmnt', ['-rn', '-o', 'TARGET'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(needle));
  return { loops, mounts };
}

/**
 * Test helper: a copy of an image whose /etc/fstab points the root at a UUID that does not exist.
 * Works on the copy only, through a loop device and a mount that are always undone.
 */
import { execFile } from 'node:child_process';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const WRONG_UUID = '00000000-dead-beef-0000-000000000000';

export async function copyWithBrokenFstab(image: string, dir: string): Promise<string> {
  const copy = join(dir, 'broken.raw');
  await run('cp', ['--sparse=always', image, copy]);
  const loop = (await run('losetup', ['--show', '-f', '-P', copy])).stdout.trim();
  const mnt = await mkdtemp(join(dir, 'mnt-'));
  let mounted = false;
  try {
    // No udev here: ask for the partition nodes, then look for the one with /etc/fstab.
    await run('partx', ['-u', loop]).catch(() => run('partx', ['-a', loop]));
    for (const node of await partitionNodes(loop)) {
      // Not every partition holds a filesystem this host can mount (bios_grub, a vfat ESP): skip those.
      const ok = await run('mount', [node, mnt]).then(
        () => true,
        () => false,
      );
      if (!ok) continue;
      mounted = true;
      const fstab = join(mnt, 'etc', 'fstab');
      if (await exists(fstab)) {
        const text = await readFile(fstab, 'utf8');
        const broken = text.replace(/^(UUID|PARTUUID)=\S+(\s+\/\s)/m, `UUID=${WRONG_UUID}$2`);
        if (broken === text) throw new Error(`no root line by UUID in ${fstab}:\n${text}`);
        await writeFile(fstab, broken);
        return copy;
      }
      await run('umount', [mnt]);
      mounted = false;
    }
    throw new Error(`no partition of ${image} has /etc/fstab`);
  } finally {
    if (mounted) await run('umount', [mnt]);
    await run('losetup', ['-d', loop]);
    await rm(mnt, { recursive: true, force: true });
  }
}

async function partitionNodes(loop: string): Promise<string[]> {
  for (let i = 0; i < 50; i++) {
    const { stdout } = await run('lsblk', ['-nrpo', 'NAME,TYPE', loop]);
    const parts = stdout
      .split('\n')
      .map((l) => l.split(' '))
      .filter(([, type]) => type === 'part')
      .map(([name]) => name ?? '');
    if (parts.length > 0 && (await Promise.all(parts.map(exists))).every(Boolean)) return parts;
    await new Promise((r) => setTimeout(r, 100));
  }
  return [];
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

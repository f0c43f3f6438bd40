/**
 * Test helpers for issue 13: copies of an image broken on purpose, written without loop devices or
 * mounts (debugfs on the ext4 root, mtools on the ESP, each at its partition's byte offset).
 * - copyWithMaskedSshd: ssh.service masked, so the boot test's way in cannot work;
 * - copyWithUnsignedLoader: the removable-path EFI loader (shim) replaced by an unsigned grub image,
 *   which Secure Boot firmware must refuse.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ESP_TYPE = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';

interface Partition {
  readonly start: number;
  readonly type: string;
}

async function partitions(image: string): Promise<Partition[]> {
  const { stdout } = await run('sfdisk', ['--json', image]);
  const table = (JSON.parse(stdout) as { partitiontable: { sectorsize?: number; partitions: Partition[] } })
    .partitiontable;
  const sector = table.sectorsize ?? 512;
  return table.partitions.map((p) => ({ start: p.start * sector, type: p.type.toUpperCase() }));
}

async function copy(image: string, dir: string, name: string): Promise<string> {
  const target = join(dir, name);
  await run('cp', ['--sparse=always', image, target]);
  return target;
}

export async function copyWithMaskedSshd(image: string, dir: string): Promise<string> {
  const broken = await copy(image, dir, 'sshd-masked.raw');
  for (const p of await partitions(broken)) {
    const target = `${broken}?offset=${p.start}`;
    const etc = await run('debugfs', ['-R', 'ls /etc/systemd/system', target]).catch(() => ({ stdout: '' }));
    if (!/multi-user\.target\.wants/.test(etc.stdout)) continue;
    await run('debugfs', ['-w', '-R', 'symlink /etc/systemd/system/ssh.service /dev/null', target]);
    const check = await run('debugfs', ['-R', 'stat /etc/systemd/system/ssh.service', target]);
    if (!/Fast link dest: "\/dev\/null"/.test(check.stdout))
      throw new Error(`ssh.service not masked in ${broken}: ${check.stdout}`);
    return broken;
  }
  throw new Error(`no ext4 partition of ${image} has /etc/systemd/system`);
}

export async function copyWithUnsignedLoader(image: string, dir: string): Promise<string> {
  const esp = (await partitions(image)).find((p) => p.type === ESP_TYPE);
  if (!esp) throw new Error(`${image} has no EFI system partition`);
  const broken = await copy(image, dir, 'unsigned-loader.raw');
  const loader = join(dir, 'unsigned-grubx64.efi');
  // A grub EFI image straight from grub-efi-amd64-bin's modules: a valid loader, signed by nobody.
  await run('grub-mkimage', [
    '-O',
    'x86_64-efi',
    '-o',
    loader,
    '-p',
    '/EFI/debian',
    'part_gpt',
    'fat',
    'normal',
  ]);
  const env = { ...process.env, MTOOLS_SKIP_CHECK: '1' };
  await run('mcopy', ['-o', '-i', `${broken}@@${esp.start}`, loader, '::/EFI/BOOT/BOOTX64.EFI'], { env });
  return broken;
}

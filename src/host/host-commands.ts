/**
 * Host commands the tasks declare, and the Debian package that provides each. Checked before any work
 * starts (bootstrap-vz found a missing kpartx or qemu-utils only mid-build, #380 #253), and installed by
 * `bootstrap doctor --fix`.
 */
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

export const COMMAND_PACKAGES: Readonly<Record<string, string>> = {
  mmdebstrap: 'mmdebstrap',
  debootstrap: 'debootstrap',
  losetup: 'mount',
  mount: 'mount',
  umount: 'mount',
  partx: 'util-linux',
  blkid: 'util-linux',
  sfdisk: 'fdisk',
  parted: 'parted',
  'mkfs.ext2': 'e2fsprogs',
  'mkfs.ext3': 'e2fsprogs',
  'mkfs.ext4': 'e2fsprogs',
  tune2fs: 'e2fsprogs',
  'mkfs.xfs': 'xfsprogs',
  'mkfs.vfat': 'dosfstools',
  'mkfs.btrfs': 'btrfs-progs',
  mkswap: 'util-linux',
  chroot: 'coreutils',
  truncate: 'coreutils',
  tar: 'tar',
  'qemu-img': 'qemu-utils',
  'qemu-system-x86_64': 'qemu-system-x86',
  'qemu-system-aarch64': 'qemu-system-arm',
  socat: 'socat',
  // boot-test --tpm: the guest's TPM 2.0.
  swtpm: 'swtpm',
  'ssh-keygen': 'openssh-client',
  ssh: 'openssh-client',
  zerofree: 'zerofree',
  extlinux: 'extlinux',
  'grub-install': 'grub2-common',
  'apt-config': 'apt',
  gpg: 'gpg',
  'qemu-aarch64-static': 'qemu-user-static',
  // mmdebstrap refuses a foreign architecture without it.
  'arch-test': 'arch-test',
  'update-binfmts': 'binfmt-support',
  mcopy: 'mtools',
  fallocate: 'util-linux',
  // ansible-core has no chroot connection plugin; the full ansible package does.
  'ansible-playbook': 'ansible',
  mmd: 'mtools',
  dd: 'coreutils',
  cp: 'coreutils',
  mv: 'coreutils',
};

/** Packages a usual build needs even before a manifest is read: what `bootstrap doctor --fix` installs. */
export const BASELINE_PACKAGES: readonly string[] = [
  'mmdebstrap',
  'debootstrap',
  'fdisk',
  'parted',
  'dosfstools',
  'e2fsprogs',
  'xfsprogs',
  'qemu-utils',
  'grub-pc-bin',
  'grub-efi-amd64-bin',
  'extlinux',
  'syslinux-common',
  'zerofree',
  'mtools',
];

export function packageFor(command: string): string | undefined {
  return COMMAND_PACKAGES[command];
}

/** Finds a command on PATH, with the sbin directories root has even when the caller's PATH lacks them. */
export async function findCommand(
  command: string,
  path = process.env.PATH ?? '',
): Promise<string | undefined> {
  const dirs = [...path.split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

export interface MissingCommand {
  readonly command: string;
  readonly package?: string;
  /** Task ids that need it. */
  readonly neededBy: readonly string[];
}

/** Which of the given commands (command -> tasks needing it) are missing on this host. */
export async function findMissingCommands(
  needs: ReadonlyMap<string, readonly string[]>,
): Promise<MissingCommand[]> {
  const missing: MissingCommand[] = [];
  for (const [command, neededBy] of [...needs].sort(([a], [b]) => a.localeCompare(b))) {
    if (await findCommand(command)) continue;
    const pkg = packageFor(command);
    missing.push(pkg ? { command, package: pkg, neededBy } : { command, neededBy });
  }
  return missing;
}

export function formatMissing(missing: readonly MissingCommand[]): string {
  const lines = missing.map(
    (m) =>
      `  ${m.command.padEnd(20)} ${m.package ? `apt-get install ${m.package}` : '(no known package)'}` +
      `   needed by ${m.neededBy.join(', ')}`,
  );
  const pkgs = [...new Set(missing.flatMap((m) => (m.package ? [m.package] : [])))];
  return (
    `missing host commands:\n${lines.join('\n')}` +
    (pkgs.length ? `\nhint: run \`bootstrap doctor --fix\` or \`apt-get install ${pkgs.join(' ')}\`` : '')
  );
}

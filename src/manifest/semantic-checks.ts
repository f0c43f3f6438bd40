/**
 * Core rules the schema cannot say well (bootstrap-vz's base/__init__.py plus this project's
 * additions). They run on schema-valid data, so shapes can be trusted here.
 */
import type { CheckReporter } from '../api/plugin.js';
import type { ManifestData, ReleaseInfo } from '../api/manifest.js';
import { MiB, formatSize, parseSize } from '../api/size.js';
import { joinPointer } from './pointer.js';
import {
  isBestEffort,
  isTooOld,
  knownReleases,
  minimumRelease,
  releaseAliases,
  releaseNames,
  resolveRelease,
  testedReleases,
} from './releases.js';
import { nearby } from './suggest.js';

const BUILTIN_PARTITIONS = new Set(['type', 'root', 'boot', 'swap', 'efi']);
/** mkfs.xfs refuses filesystems below 300 MB (xfsprogs 5.19 and later). */
const XFS_MINIMUM = 300 * 1000 * 1000;
/** Below this a Debian base system plus a kernel is unlikely to fit. */
const ROOT_WARNING = 512 * MiB;

/** Resolves the release and reports why when it cannot be used; undefined when it is unusable. */
export function checkRelease(data: ManifestData, now: Date, report: CheckReporter): ReleaseInfo | undefined {
  const name = data.system.release;
  const release = resolveRelease(name, now);
  if (!release) {
    const close = nearby(name.toLowerCase(), releaseNames());
    const aliases = releaseAliases(now);
    const supported = knownReleases()
      .filter(
        (r) =>
          !isTooOld({ codename: r.codename, version: r.version, requested: r.codename, suite: r.codename }),
      )
      .map((r) => r.codename);
    report.error(
      '/system/release',
      `unknown release "${name}"`,
      (close.length > 0 ? `did you mean ${close.map((c) => `"${c}"`).join(' or ')}? ` : '') +
        `known releases: ${supported.join(', ')}; aliases today: ` +
        Object.entries(aliases)
          .map(([a, c]) => `${a}=${c}`)
          .join(', '),
    );
    return undefined;
  }
  const eol = knownReleases().find((r) => r.codename === release.codename)?.eol;
  if (eol !== undefined && eol < now.toISOString().slice(0, 10)) {
    report.warn(
      '/system/release',
      `Debian ${release.codename} reached the end of its security support on ${eol}`,
      'the image will not get security updates from security.debian.org; consider a newer release',
    );
  }
  if (isBestEffort(release)) {
    const tested = testedReleases().map((r) => r.codename);
    report.warn(
      '/system/release',
      `Debian ${release.codename}${release.requested.toLowerCase() !== release.codename ? ` ("${release.requested}")` : ''} is supported on a best-effort basis only: it plans and builds, but is not built and booted by the tests`,
      `tested releases: ${tested.join(', ')}; package names and defaults are ${tested[tested.length - 1] ?? 'the newest tested release'}'s and may need packages.install or --set changes`,
    );
  }
  if (isTooOld(release)) {
    const min = minimumRelease();
    report.error(
      '/system/release',
      `Debian ${release.codename} (${release.version}) is too old: only ${min.codename} (${min.version}) and later are supported`,
    );
    return undefined;
  }
  return release;
}

export function checkCore(data: ManifestData, report: CheckReporter): void {
  const { system, volume, bootstrapper } = data;
  const partitions = volume.partitions;
  const type = partitions.type;
  // arm64 machines have UEFI only, so GRUB on arm64 defaults to it (src/base/bootloader/boot-mode.ts);
  // without a bootloader (bootstrap-vz's arm64 kvm example) there is no boot mode to check.
  const arm64Grub = system.architecture === 'arm64' && system.bootloader === 'grub';
  const bootMode = system.boot_mode ?? (arm64Grub ? 'uefi' : 'bios');
  if (system.architecture === 'arm64' && system.boot_mode !== undefined && bootMode !== 'uefi') {
    report.error(
      '/system/boot_mode',
      `boot_mode ${bootMode} is not possible on arm64: arm64 machines (EC2 Graviton, QEMU virt) boot with UEFI only`,
      'set system.boot_mode to uefi, or leave it out (uefi is the default on arm64)',
    );
  }
  if (system.architecture === 'i386' && system.boot_mode !== undefined && bootMode !== 'bios') {
    report.error(
      '/system/boot_mode',
      `boot_mode ${bootMode} is not supported on i386`,
      'i386 images boot with BIOS',
    );
  }

  // bootstrap-vz: "Doing this via the schema is a pain and does not output a useful error message."
  if (system.bootloader === 'grub' && type === 'none') {
    report.error(
      '/system/bootloader',
      'grub cannot boot from an unpartitioned volume',
      'use volume.partitions.type gpt or msdos, or bootloader extlinux',
    );
  }
  if (bootMode !== 'bios') {
    if (type !== 'gpt') {
      report.error(
        '/system/boot_mode',
        `boot_mode ${bootMode} needs a gpt partition map, not ${type}`,
        bootMode === 'hybrid'
          ? 'hybrid images carry an EFI system partition and a BIOS boot partition, which only gpt can hold together: set volume.partitions.type to gpt'
          : 'set volume.partitions.type to gpt',
      );
    }
    if (system.bootloader === 'extlinux' || system.bootloader === 'pvgrub') {
      report.error(
        '/system/bootloader',
        `${system.bootloader} cannot boot in ${bootMode} mode`,
        'use bootloader grub, or boot_mode bios',
      );
    }
  } else if (partitions['efi'] !== undefined) {
    report.warn(
      '/volume/partitions/efi',
      'an EFI system partition size is set, but boot_mode is bios, so there is no such partition',
      'set system.boot_mode to uefi or hybrid, or remove efi',
    );
  }
  if (system.userspace_architecture !== undefined && system.architecture !== 'amd64') {
    report.error(
      '/system/userspace_architecture',
      `an ${system.userspace_architecture} userspace needs an amd64 kernel, not ${system.architecture}`,
    );
  }
  // bootstrap-vz's lvm backing, which no provider offers here (plugins/kvm/schema.ts says why).
  for (const key of ['volumegroup', 'logicalvolume']) {
    if (volume[key] !== undefined)
      report.error(`/volume/${key}`, `${key} belongs to the lvm backing, which no provider offers`);
  }
  checkVariant(bootstrapper.tool, bootstrapper.variant, report);
  if (bootstrapper['no-check-gpg'] === true && bootstrapper['force-check-gpg'] === true) {
    report.error('/bootstrapper/force-check-gpg', 'no-check-gpg and force-check-gpg contradict each other');
  }
  checkPartitions(data, report);
}

function checkVariant(tool: string | undefined, variant: string | undefined, report: CheckReporter): void {
  if ((tool ?? 'mmdebstrap') !== 'debootstrap' || variant === undefined) return;
  if (!['minbase', 'buildd', 'default', '-'].includes(variant)) {
    report.error(
      '/bootstrapper/variant',
      `debootstrap has no variant "${variant}"`,
      'debootstrap knows minbase, buildd and the default; the others need tool mmdebstrap',
    );
  }
}

function checkPartitions(data: ManifestData, report: CheckReporter): void {
  const partitions = data.volume.partitions as unknown as Record<string, unknown>;
  const type = data.volume.partitions.type;
  for (const [name, spec] of Object.entries(partitions)) {
    if (name === 'type') continue;
    const p = joinPointer('/volume/partitions', name);
    if (!BUILTIN_PARTITIONS.has(name) && type !== 'gpt') {
      report.error(
        p,
        `named partition "${name}" needs a gpt partition map, not ${type}`,
        'bootstrap-vz allows extra named partitions on gpt only',
      );
    }
    if (type === 'none' && (name === 'boot' || name === 'swap')) {
      report.error(p, `a volume without partitions (type none) has only root, not ${name}`);
    }
    const s = spec as { size?: string; filesystem?: string };
    if (s.size === undefined) continue;
    let bytes: number;
    try {
      bytes = parseSize(s.size);
    } catch (err) {
      report.error(joinPointer(p, 'size'), (err as Error).message);
      continue;
    }
    if (bytes === 0) report.error(joinPointer(p, 'size'), 'size must be larger than 0');
    else if (bytes % 512 !== 0)
      report.error(joinPointer(p, 'size'), `size ${s.size} is not a whole number of 512-byte sectors`);
    if (s.filesystem === 'xfs' && bytes > 0 && bytes < XFS_MINIMUM) {
      report.warn(
        joinPointer(p, 'size'),
        `xfs needs at least 300MB; mkfs.xfs will refuse ${formatSize(bytes)}`,
        'use 300MiB or more, or ext4',
      );
    }
    if (name === 'root' && bytes > 0 && bytes < ROOT_WARNING) {
      report.warn(
        joinPointer(p, 'size'),
        `root is only ${formatSize(bytes)}; a Debian system with a kernel needs at least about 512MiB`,
      );
    }
    if (name === 'efi' && bytes > 0 && bytes < 33 * MiB) {
      report.warn(
        joinPointer(p, 'size'),
        `an EFI system partition of ${formatSize(bytes)} is too small for FAT32, which the UEFI specification requires on disks`,
        'use 33MiB or more (512MiB is common)',
      );
    }
  }
}

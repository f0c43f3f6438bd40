/** Semantic checks of `plugins.minimize_size` against the volume (bootstrap-vz's validate_manifest, extended). */
import type { Backing, CheckReporter, Manifest } from '../../src/api/index.js';
import { shrinkTool, type MinimizeSizeSettings } from './settings.js';

const QEMU_IMG_BACKINGS: readonly Backing[] = ['raw', 'qcow2', 'vmdk', 'vdi'];
const EXT = new Set(['ext2', 'ext3', 'ext4']);

/** Filesystems of the root, boot and named extra partitions. */
function filesystems(manifest: Manifest): string[] {
  return Object.values(manifest.data.volume.partitions)
    .map((p) =>
      typeof p === 'object' && p !== null ? (p as { filesystem?: unknown }).filesystem : undefined,
    )
    .filter((fs): fs is string => typeof fs === 'string');
}

export function checkMinimizeSize(manifest: Manifest, report: CheckReporter): void {
  const s = manifest.pluginSettings<MinimizeSizeSettings>('minimize_size');
  if (!s) return;
  const backing = manifest.data.volume.backing;
  const tool = shrinkTool(s);
  if (tool === 'vmware-vdiskmanager') {
    if (backing !== 'vmdk') {
      report.error(
        '/plugins/minimize_size/shrink',
        `vmware-vdiskmanager shrinks vmdk images only, and volume.backing is ${backing}`,
        'use shrink: qemu-img',
      );
    } else {
      report.warn(
        '/plugins/minimize_size/shrink',
        'vmware-vdiskmanager is not used: the raw volume is shrunk in place and qemu-img writes the vmdk sparse',
        'write shrink: qemu-img to say so',
      );
    }
  } else if (tool === 'qemu-img' && !QEMU_IMG_BACKINGS.includes(backing)) {
    report.error(
      '/plugins/minimize_size/shrink',
      `shrink works on image files (${QEMU_IMG_BACKINGS.join(', ')}), and volume.backing is ${backing}`,
      'remove shrink',
    );
  }
  if (s.zerofree === true && !filesystems(manifest).some((fs) => EXT.has(fs))) {
    report.warn(
      '/plugins/minimize_size/zerofree',
      'zerofree works on ext2, ext3 and ext4 filesystems only, and this volume has none',
      'remove zerofree',
    );
  }
}

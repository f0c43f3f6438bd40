/**
 * Semantic checks of `plugins.expand_root` against the rest of the manifest: the filesystem it is
 * told to grow must be the root partition's, there must be a partition to grow, and cloud_init must
 * not be asked to grow it too.
 */
import type { CheckReporter, Manifest } from '../../src/api/index.js';
import type { ExpandRootSettings } from './tasks.js';

/** cloud-init modules that do what expand-root does. */
const CLOUD_INIT_RESIZERS = ['growpart', 'resizefs'];

function enabledCloudInitModules(manifest: Manifest): string[] {
  const settings = manifest.pluginSettings<{ enable_modules?: Record<string, { module?: unknown }[]> }>(
    'cloud_init',
  );
  return Object.values(settings?.enable_modules ?? {})
    .flat()
    .map((entry) => String(entry.module));
}

export function checkExpandRoot(manifest: Manifest, report: CheckReporter): void {
  const s = manifest.pluginSettings<ExpandRootSettings>('expand_root');
  if (!s) return;
  const { partitions } = manifest.data.volume;
  if (partitions.type === 'none') {
    report.error(
      '/plugins/expand_root',
      'expand_root grows the root partition, but this volume has no partition table',
      'use volume.partitions.type gpt or msdos, or remove the expand_root plugin',
    );
  }
  const rootFs = partitions.root.filesystem;
  if (s.filesystem_type !== rootFs) {
    report.error(
      '/plugins/expand_root/filesystem_type',
      `filesystem_type is ${s.filesystem_type}, but the root partition is formatted ${rootFs}`,
      rootFs === 'btrfs'
        ? 'expand_root grows ext2, ext3, ext4 and xfs only'
        : `set filesystem_type: ${rootFs}`,
    );
  }
  if (!/^\/dev\/[\w./-]+$/.test(s.root_device)) {
    report.error(
      '/plugins/expand_root/root_device',
      `"${s.root_device}" is not a device path such as /dev/vda`,
    );
  }
  const resizers = enabledCloudInitModules(manifest).filter((m) => CLOUD_INIT_RESIZERS.includes(m));
  if (resizers.length > 0) {
    report.error(
      '/plugins/expand_root',
      `expand_root and cloud_init's ${resizers.join(' and ')} module would both grow the root partition`,
      `remove ${resizers.join(' and ')} from plugins.cloud_init.enable_modules (expand_root turns cloud-init's off), or remove expand_root`,
    );
  }
}

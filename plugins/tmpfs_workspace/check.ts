/** Semantic checks of `plugins.tmpfs_workspace`: a size that cannot hold the volume it will hold. */
import { parseSize, type CheckReporter, type Manifest } from '../../src/api/index.js';
import type { TmpfsWorkspaceSettings } from './tasks.js';

/** The sum of the partition sizes the manifest gives: what the image file can grow to. */
export function volumeBytes(manifest: Manifest): number {
  let total = 0;
  for (const p of Object.values(manifest.data.volume.partitions)) {
    const size = typeof p === 'object' && p !== null ? (p as { size?: unknown }).size : undefined;
    if (typeof size === 'string') total += parseSize(size);
  }
  return total;
}

export function checkTmpfsWorkspace(manifest: Manifest, report: CheckReporter): void {
  const s = manifest.pluginSettings<TmpfsWorkspaceSettings>('tmpfs_workspace');
  if (s?.size === undefined) return;
  const volume = volumeBytes(manifest);
  if (parseSize(s.size) < volume) {
    report.warn(
      '/plugins/tmpfs_workspace/size',
      `the tmpfs (${s.size}) is smaller than the volume's partitions together; the build fails if the image fills it`,
      'the image file is sparse, so this works while little of the volume is written',
    );
  }
}

/** Checks of the base plugin that need more than the schema: the volume layout must be possible. */
import type { CheckReporter, Manifest } from '../api/index.js';
import { LayoutError } from '../volume/layout.js';
import { layoutFor } from './volume/plan-volume.js';

export function checkBaseManifest(manifest: Manifest, report: CheckReporter): void {
  const { system, volume } = manifest.data;
  // The loader's semantic checks already report a uefi/hybrid boot mode without gpt, with a better
  // hint; planning the layout would only say it again.
  if ((system.boot_mode ?? 'bios') !== 'bios' && volume.partitions.type !== 'gpt') return;
  try {
    layoutFor(manifest);
  } catch (error) {
    if (error instanceof LayoutError)
      report.error(error.pointer, error.message.replace(`${error.pointer}: `, ''), error.hint);
    else if (error instanceof RangeError) report.error('/volume/partitions', error.message);
    else throw error;
  }
}

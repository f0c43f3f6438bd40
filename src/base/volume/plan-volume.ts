/**
 * Turns `volume.partitions` into a concrete layout (offsets, sizes, the bios_grub and EFI partitions
 * the boot mode needs). The same function runs in the manifest checks, so a layout that cannot work
 * is a manifest error before any work starts.
 */
import { defineTask, plannedVolume, VOLUME, type Manifest } from '../../api/index.js';
import { planLayout, type VolumeLayout } from '../../volume/layout.js';
import { VOLUME_RESOURCES } from './volume-resources.js';

export function layoutFor(manifest: Manifest): VolumeLayout {
  const { system, volume } = manifest.data;
  return planLayout(volume.partitions, {
    bootloader: system.bootloader,
    bootMode: system.boot_mode ?? 'bios',
  });
}

export const planVolume = defineTask({
  id: 'base/plan-volume',
  phase: 'preparation',
  description: 'Lay out the partitions of the volume',
  async run(ctx) {
    const layout = layoutFor(ctx.manifest);
    ctx.state.get(VOLUME_RESOURCES).layout = layout;
    ctx.state.set(
      VOLUME,
      plannedVolume({
        backing: ctx.manifest.data.volume.backing,
        sizeBytes: layout.sizeBytes,
        partitionMap: layout.partitionMap,
        partitions: layout.partitions,
      }),
    );
    ctx.log(
      'info',
      `volume of ${layout.sizeBytes} bytes: ${layout.partitions.map((p) => p.name).join(', ')}`,
    );
  },
});

/**
 * Writes the signed shim + GRUB into an ESP that is not mounted (see esp-files.ts for why and what):
 * the files are copied from the image into a staging directory in the workspace with cp (they are
 * binaries; BuildFs reads text), then into the FAT filesystem with `mcopy -s -o`, which creates the
 * directories and overwrites older copies. The staging directory is removed whatever happens.
 */
import { dirname, join } from 'node:path';
import { BuildError, type Architecture, type TaskContext, type VolumeInfo } from '../../api/index.js';
import { inImage } from '../system/image-paths.js';
import { espCopies, espGrubStub } from './esp-files.js';

export function espTargets(volume: VolumeInfo): {
  espDevice: string;
  bootFsUuid: string;
  separateBoot: boolean;
} {
  const esp = volume.partitions.find((p) => p.name === 'efi');
  if (esp?.device === undefined) throw new Error('the volume has no attached EFI system partition');
  const boot = volume.partitions.find((p) => p.mountpoint === '/boot');
  const fs = boot ?? volume.partitions.find((p) => p.name === 'root');
  if (fs?.uuid === undefined) throw new Error('the filesystem holding /boot/grub has no UUID');
  return { espDevice: esp.device, bootFsUuid: fs.uuid, separateBoot: boot !== undefined };
}

export async function installEspUnmounted(
  ctx: TaskContext,
  root: string,
  volume: VolumeInfo,
  opts: { architecture: Architecture; secureBoot: boolean },
): Promise<void> {
  if (!opts.secureBoot) {
    throw new BuildError(
      'the EFI system partition is not mounted and this release has no signed GRUB to copy into it',
      'build on a host whose kernel can mount vfat, or use a release with shim-signed (buster or later on amd64)',
    );
  }
  const { espDevice, bootFsUuid, separateBoot } = espTargets(volume);
  const staging = join(ctx.workspace, 'esp-staging');
  await ctx.fs.remove(staging);
  try {
    for (const copy of espCopies(opts.architecture)) {
      const dest = join(staging, copy.dest);
      await ctx.fs.mkdir(dirname(dest));
      await ctx.runner.run(['cp', inImage(root, copy.source), dest]);
    }
    await ctx.fs.writeFile(join(staging, 'EFI/debian/grub.cfg'), espGrubStub(bootFsUuid, separateBoot));
    // MTOOLS_SKIP_CHECK: mkfs.vfat's geometry is fine for firmware but trips mtools' sanity check.
    await ctx.runner.run(['mcopy', '-s', '-o', '-i', espDevice, join(staging, 'EFI'), '::/'], {
      env: { MTOOLS_SKIP_CHECK: '1' },
    });
  } finally {
    await ctx.fs.remove(staging);
  }
}

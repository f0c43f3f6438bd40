/**
 * `volume.backing`: what the build writes the image into. The values are a closed union, like the
 * phases; each provider declares the ones it offers (`Plugin.backings`, the same list its manifest
 * schema allows), and test/unit/api/backing.test.ts checks that every value here is offered by some
 * provider, so no code tests for a backing no manifest can have.
 */
import { BuildError } from './task.js';

/** Every backing some provider offers: kvm raw, qcow2, vmdk, vdi; ec2 ebs, s3, raw. */
export const BACKINGS = ['raw', 'qcow2', 'vmdk', 'vdi', 'ebs', 's3'] as const;
export type Backing = (typeof BACKINGS)[number];

/** Backings built in an image file on a loop device (the base plugin's volume tasks). */
export const FILE_BACKINGS = ['raw', 'qcow2', 'vmdk', 'vdi', 's3'] as const satisfies readonly Backing[];
export type FileBacking = (typeof FILE_BACKINGS)[number];

export function isFileBacking(backing: Backing): backing is FileBacking {
  return (FILE_BACKINGS as readonly Backing[]).includes(backing);
}

/** Formats of the exported image file (`qemu-img convert -O` for all but raw). */
export type ImageFormat = 'raw' | 'qcow2' | 'vmdk' | 'vdi';

const OUTPUT_FORMAT: Readonly<Record<FileBacking, ImageFormat>> = {
  raw: 'raw',
  qcow2: 'qcow2',
  vmdk: 'vmdk',
  vdi: 'vdi',
  // An S3 bundle is made from the raw image (ec2/bundle-image).
  s3: 'raw',
};

/** The format a file backing's image is exported in. */
export function outputFormatOf(backing: FileBacking): ImageFormat {
  return OUTPUT_FORMAT[backing];
}

/**
 * The manifest's backing as one of a provider's own backings, for code that switches on them
 * exhaustively. The schema already allows only those; anything else is a bug, reported clearly.
 */
export function providerBacking<B extends Backing>(
  manifest: { readonly data: { readonly volume: { readonly backing: Backing } } },
  offered: readonly B[],
): B {
  const backing = manifest.data.volume.backing;
  if (!(offered as readonly Backing[]).includes(backing)) {
    throw new BuildError(`volume.backing ${backing} is not one of this provider's: ${offered.join(', ')}`);
  }
  return backing as B;
}

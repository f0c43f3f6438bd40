/**
 * RegisterImage's parameters from the manifest, as a pure function (unit-tested; the integration test
 * checks the serialized request, since moto ignores most of these). Choices follow Debian's own
 * uploader where the manifest says nothing: /dev/xvda, one gp3 mapping, DeleteOnTermination.
 */
import type { RegisterImageCommandInput } from '@aws-sdk/client-ec2';
import { BuildError, type Manifest } from '../../../src/api/index.js';
import { amiName } from './context.js';
import { tagSpecification } from './tags.js';
import type { RootSnapshot } from './state.js';

const ARCHITECTURES = { amd64: 'x86_64', arm64: 'arm64', i386: 'i386' } as const;

/**
 * AWS's BootMode for the firmware the image was built for. Without system.boot_mode an x86 image
 * boots with BIOS and arm64 with UEFI (as src/base/bootloader/boot-mode.ts decides); a hybrid image
 * has both, and `uefi-preferred` lets each instance type use UEFI where it can.
 */
export function awsBootMode(manifest: Manifest): 'legacy-bios' | 'uefi' | 'uefi-preferred' {
  const { architecture, boot_mode: mode } = manifest.data.system;
  const chosen = mode ?? (architecture === 'arm64' ? 'uefi' : 'bios');
  return chosen === 'hybrid' ? 'uefi-preferred' : chosen === 'uefi' ? 'uefi' : 'legacy-bios';
}

interface RegisterSettings {
  description?: string;
  virtualization?: 'hvm' | 'pvm';
  enhanced_networking?: 'none' | 'simple';
  ena_support?: boolean;
  tpm_support?: 'v2.0';
  imds_support?: 'v2.0';
}

export const ROOT_DEVICE = '/dev/xvda';

export function registerImageInput(
  manifest: Manifest,
  source: { snapshot?: RootSnapshot; imageLocation?: string },
  tags: Record<string, string>,
): RegisterImageCommandInput {
  const p = manifest.data.provider as RegisterSettings;
  const hvm = p.virtualization !== 'pvm';
  const simple = p.enhanced_networking === 'simple';
  const ena = p.ena_support ?? (hvm && simple);
  const architecture = ARCHITECTURES[manifest.data.system.architecture as keyof typeof ARCHITECTURES];
  if (!architecture) throw new BuildError(`EC2 has no architecture for ${manifest.data.system.architecture}`);
  if (!source.snapshot && !source.imageLocation) {
    throw new BuildError('nothing to register: no root snapshot and no S3 image location');
  }
  return {
    Name: amiName(manifest),
    ...(p.description ? { Description: manifest.expand(p.description) } : {}),
    Architecture: architecture,
    VirtualizationType: hvm ? 'hvm' : 'paravirtual',
    ...(source.snapshot
      ? {
          RootDeviceName: ROOT_DEVICE,
          BlockDeviceMappings: [
            {
              DeviceName: ROOT_DEVICE,
              Ebs: {
                SnapshotId: source.snapshot.snapshotId,
                VolumeSize: source.snapshot.volumeSizeGiB,
                VolumeType: 'gp3',
                DeleteOnTermination: true,
              },
            },
          ],
        }
      : { ImageLocation: source.imageLocation }),
    ...(ena ? { EnaSupport: true } : {}),
    ...(simple ? { SriovNetSupport: 'simple' } : {}),
    // Paravirtual images boot through pvgrub: BootMode is for HVM firmware only.
    ...(hvm ? { BootMode: awsBootMode(manifest) } : {}),
    ...(p.tpm_support ? { TpmSupport: p.tpm_support } : {}),
    ...(p.imds_support ? { ImdsSupport: p.imds_support } : {}),
    TagSpecifications: [tagSpecification('image', tags)],
  };
}

/**
 * Schemas of the `kvm` provider, ported from bootstrap-vz's bootstrapvz/providers/kvm/manifest-schema.yml
 * (andsens/bootstrap-vz at fcdc699) and its README.
 *
 * Upstream left the `provider` section open, so keys nothing read still validated. Here it is closed,
 * which is why `virtio_modules` is listed: upstream's example manifests/examples/kvm/stretch-console.yml
 * uses it, and those manifests must load unchanged.
 */
import type { Backing, JsonSchema } from '../../src/api/index.js';

/** The backings this provider offers: an image file, raw or converted at the end. */
export const KVM_BACKINGS = ['raw', 'qcow2', 'vmdk', 'vdi'] as const satisfies readonly Backing[];

/**
 * Upstream's enum, plus `virtio_rng`, which upstream's stretch-console.yml lists (under the unread
 * `virtio_modules` key, so upstream never checked it). All are real module names of Debian's kernels.
 */
const VIRTIO_MODULES = [
  'virtio',
  'virtio_pci',
  'virtio_balloon',
  'virtio_blk',
  'virtio_net',
  'virtio_ring',
  'virtio_rng',
];

const virtioList = (description: string): JsonSchema => ({
  type: 'array',
  description,
  items: { type: 'string', enum: VIRTIO_MODULES },
  minItems: 1,
});

/** The manifest's `provider` section when `provider.name` is `kvm`. */
export const schema: JsonSchema = {
  type: 'object',
  title: 'KVM provider',
  description: 'A disk image file for QEMU/KVM guests (raw, qcow2, vmdk or vdi).',
  properties: {
    name: { const: 'kvm', description: 'Selects the KVM provider.' },
    virtio: virtioList(
      'Kernel modules added to the initramfs (/etc/initramfs-tools/modules) so the guest can boot from ' +
        "virtio disks and use virtio devices. Optional; Debian's cloud kernel already has most of them.",
    ),
    virtio_modules: {
      ...virtioList(
        'Accepted for compatibility only: bootstrap-vz never read this key (its code reads `virtio`), but ' +
          'its example stretch-console.yml sets it. Ignored, as upstream did; use `virtio`.',
      ),
      deprecated: true,
    },
    kernel: {
      type: 'string',
      pattern: '^[a-z0-9][a-z0-9.+-]+$',
      description:
        'Added: the kernel package to install instead of the default (linux-image-cloud-<arch> where Debian has one).',
    },
    console: {
      type: 'string',
      enum: ['serial', 'virtual'],
      default: 'serial',
      description:
        'Console for the init process and single-user mode: `serial` (ttyS0, default) or `virtual` (tty0 as ' +
        'well). Kernel messages go to both either way.',
    },
  },
  required: ['name'],
  additionalProperties: false,
};

/** Constraints over the whole manifest when the kvm provider is selected. */
export const manifestSchema: JsonSchema = {
  type: 'object',
  properties: {
    system: {
      type: 'object',
      properties: {
        bootloader: {
          type: 'string',
          enum: ['grub', 'extlinux', 'none'],
          description:
            'pvgrub is EC2-only; `none` leaves the image without a bootloader (e.g. for direct kernel boot).',
        },
      },
    },
    volume: {
      type: 'object',
      properties: {
        // Upstream also had `lvm` (with volume.logicalvolume / volume.volumegroup). It is left out on
        // purpose: LVM needs device-mapper, which the build hosts and most CI containers lack
        // (`/dev/mapper/control: open failed`), so such a build could never run here.
        backing: {
          type: 'string',
          enum: [...KVM_BACKINGS],
          description:
            'Image file format. The image is built as raw and converted with qemu-img at the end for qcow2, ' +
            'vmdk and vdi.',
        },
        partitions: {
          type: 'object',
          properties: {
            type: { type: 'string', enum: ['none', 'msdos', 'gpt'] },
          },
        },
      },
      required: ['backing'],
    },
  },
};

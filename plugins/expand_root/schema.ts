/**
 * Settings of the `expand_root` plugin, ported from bootstrap-vz's
 * bootstrapvz/plugins/expand_root/manifest-schema.yml (andsens/bootstrap-vz at fcdc699).
 */
import type { JsonSchema } from '../../src/api/index.js';

export const schema: JsonSchema = {
  type: 'object',
  title: 'expand_root plugin',
  description:
    'At first boot, grow the root partition and its filesystem to fill the disk (growpart + resize).',
  properties: {
    filesystem_type: {
      type: 'string',
      enum: ['ext2', 'ext3', 'ext4', 'xfs'],
      description: 'Filesystem of the root partition; picks resize2fs or xfs_growfs.',
    },
    root_device: {
      type: 'string',
      description: 'The disk as the booted guest sees it, e.g. /dev/vda or /dev/xvda.',
    },
    root_partition: {
      type: 'integer',
      minimum: 1,
      description: 'Number of the root partition on that disk.',
    },
  },
  required: ['filesystem_type', 'root_device', 'root_partition'],
  additionalProperties: false,
};

/**
 * Settings of the `prebootstrapped` plugin, ported from bootstrap-vz's
 * bootstrapvz/plugins/prebootstrapped/manifest-schema.yml (andsens/bootstrap-vz at fcdc699).
 *
 * Upstream also limited volume.backing (raw, ebs, s3, vdi, vmdk, folder) from this plugin's schema; that
 * whole-manifest rule belongs to the plugin's check(), not to its settings schema.
 */
import type { JsonSchema } from '../../src/api/index.js';

export const schema: JsonSchema = {
  type: 'object',
  title: 'prebootstrapped plugin',
  description:
    'With no setting: save a copy of the volume right after package installation and say where. With one: ' +
    'start from that copy instead of partitioning, formatting and bootstrapping.',
  properties: {
    image: { type: 'string', description: 'File-backed volumes: path of a saved image to start from.' },
    snapshot: {
      type: 'string',
      description: 'EBS backing: id of a saved snapshot (snap-...) to start from.',
    },
    folder: { type: 'string', description: 'Folder backing: path of a saved root tree to start from.' },
  },
  additionalProperties: false,
};

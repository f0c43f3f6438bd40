/**
 * Settings of the `prebootstrapped` plugin, ported from bootstrap-vz's
 * bootstrapvz/plugins/prebootstrapped/manifest-schema.yml (andsens/bootstrap-vz at fcdc699).
 *
 * `tarball` is added, and is the only way to restore here; `image`, `snapshot` and `folder` are kept
 * so bootstrap-vz manifests still parse, and check() reports them as not supported (see the README).
 */
import type { JsonSchema } from '../../src/api/index.js';

export const schema: JsonSchema = {
  type: 'object',
  title: 'prebootstrapped plugin',
  description:
    'With no setting: save the bootstrapped tree (after package installation) as a tarball next to the image and ' +
    'say where. With `tarball`: unpack that tarball instead of bootstrapping.',
  properties: {
    tarball: {
      type: 'string',
      minLength: 1,
      description:
        'Added: a tarball saved by an earlier build (`<name>.prebootstrapped.tar`) to unpack instead of bootstrapping; ' +
        'relative paths are relative to the manifest.',
    },
    image: {
      type: 'string',
      description: 'bootstrap-vz: a saved image to start from. Not supported: use tarball.',
    },
    snapshot: {
      type: 'string',
      description: 'bootstrap-vz, EBS backing: a saved snapshot to start from. Not supported: use tarball.',
    },
    folder: {
      type: 'string',
      description: 'bootstrap-vz, folder backing: a saved root tree. Not supported: use tarball.',
    },
  },
  additionalProperties: false,
};

/**
 * Settings of the `admin_user` plugin, ported from bootstrap-vz's
 * bootstrapvz/plugins/admin_user/manifest-schema.yml (andsens/bootstrap-vz at fcdc699).
 *
 * Changes: `username` must be a name useradd accepts (upstream took any string, and a leading `-`
 * would have been read as an option); `pubkey` may also be the key text itself.
 */
import type { JsonSchema } from '../../src/api/index.js';

export const schema: JsonSchema = {
  type: 'object',
  title: 'admin_user plugin',
  description: 'Create a user with passwordless sudo; root logins over SSH are refused.',
  properties: {
    username: {
      type: 'string',
      pattern: '^[a-z_][a-z0-9_-]{0,31}$',
      description: 'Name of the user to create (lower case letters, digits, _ and -, at most 32).',
    },
    password: {
      type: 'string',
      minLength: 1,
      description:
        'Password of the user; also turns SSH password logins back on, as bootstrap-vz did. Hashed before it ' +
        'reaches the image, never logged.',
    },
    pubkey: {
      type: 'string',
      minLength: 1,
      description:
        "An SSH public key for the user's authorized_keys: the path of a key file on the build host (relative to " +
        'the manifest), or the key text itself (ssh-ed25519 AAAA... comment).',
    },
  },
  required: ['username'],
  additionalProperties: false,
};

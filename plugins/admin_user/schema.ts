/**
 * Settings of the `admin_user` plugin, ported from bootstrap-vz's
 * bootstrapvz/plugins/admin_user/manifest-schema.yml (andsens/bootstrap-vz at fcdc699).
 */
import type { JsonSchema } from '../../src/api/index.js';

export const schema: JsonSchema = {
  type: 'object',
  title: 'admin_user plugin',
  description: 'Create a user with passwordless sudo; root logins over SSH are disabled.',
  properties: {
    username: { type: 'string', description: 'Name of the user to create.' },
    password: {
      type: 'string',
      description: 'Password of the user. Without it, log in with pubkey (or the EC2 metadata key).',
    },
    pubkey: {
      type: 'string',
      pattern: '^[^\\0]+$',
      description: "Path on the build host of an SSH public key put in the user's authorized_keys.",
    },
  },
  required: ['username'],
  additionalProperties: false,
};

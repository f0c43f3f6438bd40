/**
 * Settings of the `root_password` plugin, ported from bootstrap-vz's
 * bootstrapvz/plugins/root_password/manifest-schema.yml (andsens/bootstrap-vz at fcdc699).
 */
import type { JsonSchema } from '../../src/api/index.js';

export const schema: JsonSchema = {
  type: 'object',
  title: 'root_password plugin',
  description: 'Set the root password and allow password logins over SSH (for test images only).',
  properties: {
    password: {
      type: 'string',
      description: 'The root password, in clear text (it is in the manifest, so keep it to test images).',
    },
  },
  required: ['password'],
  additionalProperties: false,
};

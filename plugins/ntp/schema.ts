/**
 * Settings of the `ntp` plugin, ported from bootstrap-vz's bootstrapvz/plugins/ntp/manifest-schema.yml
 * (andsens/bootstrap-vz at fcdc699).
 */
import type { JsonSchema } from '../../src/api/index.js';

export const schema: JsonSchema = {
  type: 'object',
  title: 'ntp plugin',
  description: 'Install an NTP daemon and optionally set its servers.',
  properties: {
    servers: {
      type: 'array',
      items: { type: 'string' },
      minItems: 1,
      description: 'NTP servers replacing the package defaults, e.g. [169.254.169.123] on EC2.',
    },
  },
  additionalProperties: false,
};

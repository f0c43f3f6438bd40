/**
 * Settings of the `pip_install` plugin, ported from bootstrap-vz's
 * bootstrapvz/plugins/pip_install/manifest-schema.yml (andsens/bootstrap-vz at fcdc699).
 */
import type { JsonSchema } from '../../src/api/index.js';

export const schema: JsonSchema = {
  type: 'object',
  title: 'pip_install plugin',
  description: 'Install Python packages with pip in the image.',
  properties: {
    packages: {
      type: 'array',
      items: { type: 'string' },
      minItems: 1,
      uniqueItems: true,
      description: 'Requirement specifiers, e.g. requests==2.31.0.',
    },
  },
  additionalProperties: false,
};

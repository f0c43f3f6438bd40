/**
 * Settings of the `pip_install` plugin, ported from bootstrap-vz's
 * bootstrapvz/plugins/pip_install/manifest-schema.yml (andsens/bootstrap-vz at fcdc699).
 *
 * Upstream did not require `packages`, and its task then failed with a KeyError; it is required here.
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
      description:
        "Requirement specifiers installed with the image's python3 pip, e.g. requests==2.31.0 (pip options are refused).",
    },
  },
  required: ['packages'],
  additionalProperties: false,
};

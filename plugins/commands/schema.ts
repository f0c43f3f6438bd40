/**
 * Settings of the `commands` plugin, ported from bootstrap-vz's
 * bootstrapvz/plugins/commands/manifest-schema.yml (andsens/bootstrap-vz at fcdc699).
 */
import type { JsonSchema } from '../../src/api/index.js';

export const schema: JsonSchema = {
  type: 'object',
  title: 'commands plugin',
  description: 'Run commands on the build host at the end of the system configuration.',
  properties: {
    commands: {
      type: 'array',
      minItems: 1,
      description:
        "Commands, each an argv list run without a shell. `{root}` in an argument is the image's mounted root; " +
        'other manifest variables are expanded too. Use ["chroot", "{root}", ...] to run inside the image.',
      items: { type: 'array', minItems: 1, items: { type: 'string' } },
    },
  },
  required: ['commands'],
  additionalProperties: false,
};

/** The `plugins.boot_test` schema, apart from the plugin's code: src/registry/plugin-catalog.ts loads it. */
import type { JsonSchema } from '../api/index.js';

export const schema: JsonSchema = {
  type: 'object',
  description: 'Added: boot the image in QEMU and check it before anything is published.',
  properties: {
    firmware: {
      enum: ['bios', 'uefi', 'both'],
      description: 'Firmware to boot with (default: from system.boot_mode; both boots twice).',
    },
    timeout: { type: 'integer', minimum: 30, maximum: 3600, description: 'Seconds per boot (default 300).' },
    imds: { enum: ['v1', 'v2'], description: 'v2: the metadata service requires IMDSv2 tokens.' },
  },
  additionalProperties: false,
};

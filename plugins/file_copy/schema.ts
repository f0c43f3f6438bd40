/**
 * Settings of the `file_copy` plugin, ported from bootstrap-vz's
 * bootstrapvz/plugins/file_copy/manifest-schema.yml (andsens/bootstrap-vz at fcdc699).
 *
 * Upstream quirk: `mkdirs` had `items` but no `type: array`, so a non-list slipped through; it must be a
 * list here.
 */
import type { JsonSchema } from '../../src/api/index.js';

const ownership = {
  permissions: {
    type: 'string',
    description: 'Mode given to chmod, e.g. "0644" or "u+x" (quote numbers in YAML).',
  },
  owner: { type: 'string', description: 'Owner (user name in the image).' },
  group: { type: 'string', description: 'Group (group name in the image).' },
};

export const schema: JsonSchema = {
  type: 'object',
  title: 'file_copy plugin',
  description: 'Copy files from the build host into the image, and create directories.',
  properties: {
    mkdirs: {
      type: 'array',
      description: 'Directories to create in the image before the files are copied.',
      items: {
        type: 'object',
        properties: { dir: { type: 'string', description: 'Absolute path in the image.' }, ...ownership },
        required: ['dir'],
        additionalProperties: false,
      },
    },
    files: {
      type: 'array',
      minItems: 1,
      description: 'Files (or directories, copied recursively) to copy.',
      items: {
        type: 'object',
        properties: {
          src: {
            type: 'string',
            description: 'Path on the build host (relative paths are relative to the manifest).',
          },
          dst: { type: 'string', description: 'Absolute path in the image.' },
          ...ownership,
        },
        required: ['src', 'dst'],
        additionalProperties: false,
      },
    },
  },
  required: ['files'],
  additionalProperties: false,
};

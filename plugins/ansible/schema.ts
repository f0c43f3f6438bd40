/**
 * Settings of the `ansible` plugin, ported from bootstrap-vz's
 * bootstrapvz/plugins/ansible/manifest-schema.yml. Upstream changed over time and both shapes load:
 * - `playbook` was an absolute path, later one relative to the manifest file (both are accepted);
 * - `tags` and `skip_tags` were strings, later lists (both are accepted; a list is joined by commas).
 *
 * Upstream quirk: `opt_flags` and `hosts` used keywords `flag` and `host` that JSON Schema does not know,
 * so their items were never checked; here they must be strings.
 */
import type { JsonSchema } from '../../src/api/index.js';

const tagList = (description: string): JsonSchema => ({
  description,
  oneOf: [
    { type: 'string', minLength: 1 },
    { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
  ],
});

export const schema: JsonSchema = {
  type: 'object',
  title: 'ansible plugin',
  description:
    'Run an Ansible playbook from the build host against the image (chroot connection) during user modification.',
  properties: {
    playbook: {
      type: 'string',
      pattern: '^[^\\0]+$',
      description:
        "Path of the playbook on the build host, absolute or relative to the manifest file; it runs from the playbook's directory.",
    },
    hosts: {
      type: 'array',
      items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
      minItems: 1,
      uniqueItems: true,
      description:
        'Inventory groups the image is put in, for playbooks that target a group (default: no group, target `all`).',
    },
    extra_vars: { type: 'string', description: 'Passed as --extra-vars (key=value pairs, JSON, or @file).' },
    tags: tagList('Only run plays and tasks with these tags (--tags); a string or a list.'),
    skip_tags: tagList('Skip plays and tasks with these tags (--skip-tags); a string or a list.'),
    opt_flags: {
      type: 'array',
      items: { type: 'string' },
      minItems: 1,
      description: 'Further ansible-playbook arguments, appended as they are (not through a shell).',
    },
  },
  required: ['playbook'],
  additionalProperties: false,
};

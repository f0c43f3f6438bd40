/**
 * Settings of the `ansible` plugin, ported from bootstrap-vz's
 * bootstrapvz/plugins/ansible/manifest-schema.yml (andsens/bootstrap-vz at fcdc699).
 *
 * Upstream quirk: `opt_flags` and `hosts` used keywords `flag` and `host` that JSON Schema does not know,
 * so their items were never checked; here they must be strings.
 */
import type { JsonSchema } from '../../src/api/index.js';

export const schema: JsonSchema = {
  type: 'object',
  title: 'ansible plugin',
  description: 'Run an Ansible playbook against the image (chroot connection) during user modification.',
  properties: {
    playbook: {
      type: 'string',
      pattern: '^/[^\\0]+$',
      description: "Absolute path of the playbook on the build host; it runs from the playbook's directory.",
    },
    hosts: {
      type: 'array',
      items: { type: 'string' },
      minItems: 1,
      description: 'Inventory groups the image is put in (default: ungrouped).',
    },
    extra_vars: { type: 'string', description: 'Passed as --extra-vars.' },
    tags: { type: 'string', description: 'Passed as --tags.' },
    skip_tags: { type: 'string', description: 'Passed as --skip-tags.' },
    opt_flags: {
      type: 'array',
      items: { type: 'string' },
      minItems: 1,
      description: 'Further ansible-playbook arguments, appended as they are.',
    },
  },
  required: ['playbook'],
  additionalProperties: false,
};

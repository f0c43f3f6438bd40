/**
 * Settings of the `puppet` plugin, ported from bootstrap-vz's bootstrapvz/plugins/puppet/manifest-schema.yml
 * (andsens/bootstrap-vz at fcdc699) and upstream's examples (manifests/examples/kvm/*-puppet.yaml).
 */
import type { JsonSchema } from '../../src/api/index.js';

const absolutePath = (description: string): JsonSchema => ({
  type: 'string',
  pattern: '^/[^\\0]+$',
  description,
});

export const schema: JsonSchema = {
  type: 'object',
  title: 'puppet plugin',
  description:
    'Install Puppet, optionally copy its configuration, install modules and apply a manifest in the image.',
  properties: {
    manifest: absolutePath('Absolute path of a Puppet manifest applied inside the chroot.'),
    assets: absolutePath(
      "Absolute path of a directory copied over the image's Puppet configuration directory.",
    ),
    enable_agent: {
      type: 'boolean',
      default: false,
      description: 'Enable the Puppet agent service in the image.',
    },
    install_modules: {
      type: 'array',
      minItems: 1,
      description:
        'Forge modules to install, each [name] or [name, version], e.g. [puppetlabs-concat, 3.0.0].',
      items: { type: 'array', minItems: 1, maxItems: 2, items: { type: 'string' } },
    },
  },
  minProperties: 1,
  additionalProperties: false,
};

/**
 * Settings of the `puppet` plugin, ported from bootstrap-vz's bootstrapvz/plugins/puppet/manifest-schema.yml
 * (andsens/bootstrap-vz at fcdc699) and upstream's examples (manifests/examples/kvm/*-puppet.yaml).
 * Upstream required absolute paths; a relative path (to the manifest file) is accepted too.
 */
import type { JsonSchema } from '../../src/api/index.js';

const hostPath = (description: string): JsonSchema => ({
  type: 'string',
  pattern: '^[^\\0]+$',
  description,
});

export const schema: JsonSchema = {
  type: 'object',
  title: 'puppet plugin',
  description:
    "Install Puppet from Debian's packages, optionally copy its configuration, install modules and apply a manifest in the image.",
  properties: {
    manifest: hostPath(
      'Puppet manifest (.pp) on the build host, absolute or relative to the manifest file, applied inside the image.',
    ),
    assets: hostPath(
      'Directory on the build host laid out like /etc/puppetlabs (puppet/, code/...), absolute or relative to the ' +
        "manifest file; copied over the image's Puppet configuration (puppet/ to /etc/puppet, code/ to /etc/puppet/code).",
    ),
    enable_agent: {
      type: 'boolean',
      default: false,
      description: 'Enable the Puppet agent service (puppet.service) in the image.',
    },
    install_modules: {
      type: 'array',
      minItems: 1,
      description:
        'Forge modules to install with `puppet module install --force`, each [name] or [name, version], e.g. [puppetlabs-concat, 3.0.0].',
      items: { type: 'array', minItems: 1, maxItems: 2, items: { type: 'string', minLength: 1 } },
    },
  },
  minProperties: 1,
  additionalProperties: false,
};

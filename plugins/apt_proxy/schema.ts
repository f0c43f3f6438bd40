/**
 * Settings of the `apt_proxy` plugin, ported from bootstrap-vz's
 * bootstrapvz/plugins/apt_proxy/manifest-schema.yml (andsens/bootstrap-vz at fcdc699).
 */
import type { JsonSchema } from '../../src/api/index.js';

export const schema: JsonSchema = {
  type: 'object',
  title: 'apt_proxy plugin',
  description:
    "Send apt's HTTP traffic through a proxy (e.g. apt-cacher-ng) during the build, optionally in the image too.",
  properties: {
    address: { type: 'string', description: 'Proxy host, with scheme, e.g. http://127.0.0.1.' },
    port: { type: 'integer', minimum: 1, maximum: 65535, description: 'Proxy port, e.g. 3142.' },
    username: { type: 'string', description: 'Proxy user, if it needs authentication.' },
    password: { type: 'string', description: 'Proxy password, if it needs authentication.' },
    persistent: {
      type: 'boolean',
      default: false,
      description:
        'Keep the proxy configuration in the image instead of removing it at the end of the build.',
    },
  },
  required: ['address', 'port'],
  additionalProperties: false,
};

/**
 * Settings of the `apt_proxy` plugin, ported from bootstrap-vz's
 * bootstrapvz/plugins/apt_proxy/manifest-schema.yml (andsens/bootstrap-vz at fcdc699).
 *
 * `address` is a host name or IP, as upstream (which put `http://` in front of it itself); an explicit
 * `http://` prefix is accepted too.
 */
import type { JsonSchema } from '../../src/api/index.js';

export const schema: JsonSchema = {
  type: 'object',
  title: 'apt_proxy plugin',
  description:
    "Send apt's HTTP traffic through a proxy (e.g. apt-cacher-ng) during the build, optionally in the image too.",
  properties: {
    address: {
      type: 'string',
      pattern: '^(http://)?(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)$',
      description: 'Proxy host name or IP address, e.g. 127.0.0.1 (an http:// prefix is accepted).',
    },
    port: { type: 'integer', minimum: 1, maximum: 65535, description: 'Proxy port, e.g. 3142.' },
    username: {
      type: 'string',
      minLength: 1,
      description: 'Proxy user, if it needs authentication (used only together with password).',
    },
    password: {
      type: 'string',
      minLength: 1,
      description:
        'Proxy password, if it needs authentication (used only together with username). Never logged.',
    },
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

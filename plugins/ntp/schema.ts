/**
 * Settings of the `ntp` plugin, ported from bootstrap-vz's bootstrapvz/plugins/ntp/manifest-schema.yml
 * (andsens/bootstrap-vz at fcdc699). bootstrap-vz installed the `ntp` daemon; this plugin configures
 * systemd-timesyncd instead (see plugins/ntp/README.md), with the same key.
 */
import type { JsonSchema } from '../../src/api/index.js';

export const schema: JsonSchema = {
  type: 'object',
  title: 'ntp plugin',
  description: 'Keep the clock in sync with systemd-timesyncd, optionally with explicit servers.',
  properties: {
    servers: {
      type: 'array',
      items: { type: 'string', pattern: '^[A-Za-z0-9._:\\[\\]-]+$' },
      minItems: 1,
      uniqueItems: true,
      description:
        "NTP servers (host names or IP addresses) used instead of Debian's pool, e.g. [169.254.169.123] on EC2.",
    },
  },
  additionalProperties: false,
};

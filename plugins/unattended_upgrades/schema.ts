/**
 * Settings of the `unattended_upgrades` plugin, ported from bootstrap-vz's
 * bootstrapvz/plugins/unattended_upgrades/manifest-schema.yml (andsens/bootstrap-vz at fcdc699).
 */
import type { JsonSchema } from '../../src/api/index.js';

const days = (what: string): JsonSchema => ({
  type: 'integer',
  minimum: 0,
  description: `Days between ${what} (APT::Periodic; 0 disables).`,
});

export const schema: JsonSchema = {
  type: 'object',
  title: 'unattended_upgrades plugin',
  description: 'Install unattended-upgrades and set how often apt updates, downloads and upgrades.',
  properties: {
    update_interval: days('package list updates'),
    download_interval: days('downloads of upgradable packages'),
    upgrade_interval: days('unattended upgrades'),
  },
  required: ['update_interval', 'download_interval', 'upgrade_interval'],
  additionalProperties: false,
};

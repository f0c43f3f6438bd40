/**
 * Settings of the `cloud_init` plugin (`plugins.cloud_init`), ported from bootstrap-vz's
 * bootstrapvz/plugins/cloud_init/manifest-schema.yml (andsens/bootstrap-vz at fcdc699).
 *
 * Upstream quirks:
 * - `enable_modules.cloud_init_modules` was `type: array` with `properties`, a keyword that does nothing on
 *   arrays, so its items were never checked. They are checked here as {module, position}.
 * - Upstream's schema also pinned `system.release` to a list (wheezy..sid) that went stale at buster; that
 *   constraint is not ported (releases are checked against the release table).
 */
import { USERNAME_PATTERN, type JsonSchema } from '../../src/api/index.js';

const moduleList: JsonSchema = {
  type: 'array',
  description: 'Modules to insert into this list of /etc/cloud/cloud.cfg.',
  items: {
    type: 'object',
    properties: {
      module: {
        type: 'string',
        pattern: '^[a-z0-9_-]+$',
        'x-pattern-message': 'must be a cloud-init module name such as growpart',
        description: 'cloud-init module name, e.g. growpart.',
      },
      position: {
        type: 'integer',
        minimum: 0,
        description: 'Index in the list at which the module is inserted.',
      },
    },
    required: ['module', 'position'],
    additionalProperties: false,
  },
};

export const schema: JsonSchema = {
  type: 'object',
  title: 'cloud_init plugin',
  description: 'Install cloud-init and configure its default user, datasources and modules.',
  properties: {
    username: {
      type: 'string',
      pattern: USERNAME_PATTERN,
      'x-pattern-message': 'must be a user name: lowercase letters, digits, _ and -, not starting with -',
      description: 'Name of the default user cloud-init creates (e.g. admin), as admin_user.username.',
    },
    groups: {
      type: 'array',
      items: { type: 'string', pattern: USERNAME_PATTERN, 'x-pattern-message': 'must be a group name' },
      uniqueItems: true,
      description: "Groups the default user is added to, besides Debian's defaults.",
    },
    metadata_sources: {
      type: 'string',
      pattern: '^[A-Za-z0-9]+([,\\s]+[A-Za-z0-9]+)*$',
      'x-pattern-message': 'must be datasource names such as Ec2, comma separated',
      description:
        'Datasources cloud-init tries, comma separated (e.g. Ec2, or "NoCloud, ConfigDrive"). Defaults by provider.',
    },
    disable_modules: {
      type: 'array',
      items: {
        type: 'string',
        pattern: '^[a-z0-9_-]+$',
        'x-pattern-message': 'must be a cloud-init module name',
      },
      uniqueItems: true,
      description: 'Modules removed from every list of /etc/cloud/cloud.cfg.',
    },
    enable_modules: {
      type: 'object',
      description: 'Modules added to lists of /etc/cloud/cloud.cfg, at a position.',
      properties: {
        cloud_init_modules: moduleList,
        cloud_config_modules: { ...moduleList, description: 'Added. Same, for cloud_config_modules.' },
        cloud_final_modules: { ...moduleList, description: 'Added. Same, for cloud_final_modules.' },
      },
      additionalProperties: false,
    },
  },
  required: ['username'],
  additionalProperties: false,
};

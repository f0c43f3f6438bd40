/**
 * Settings of the `ec2_publish` plugin, ported from bootstrap-vz's
 * bootstrapvz/plugins/ec2_publish/manifest-schema.yml (andsens/bootstrap-vz at fcdc699).
 *
 * Upstream quirk fixed: regions were an enum of 13 names that went stale; a region is checked by shape.
 */
import type { JsonSchema } from '../../src/api/index.js';

export const schema: JsonSchema = {
  type: 'object',
  title: 'ec2_publish plugin',
  description:
    'After registration, copy the AMI to other regions, optionally make it public, and write the AMI ids.',
  properties: {
    regions: {
      type: 'array',
      uniqueItems: true,
      items: { type: 'string', pattern: '^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\\d+$' },
      description: 'Regions to copy the AMI to (besides the one it was registered in).',
    },
    manifest_url: {
      type: 'string',
      description: 'Where to write the list of AMI ids per region: a local path, or an s3://bucket/key URL.',
    },
    public: {
      type: 'boolean',
      default: false,
      description: 'Make the AMIs launchable by everyone (launch permission group all).',
    },
    accounts: {
      type: 'array',
      uniqueItems: true,
      items: { type: 'string', pattern: '^\\d{12}$' },
      description: 'Added. AWS account ids allowed to launch the AMIs.',
    },
    organizations: {
      type: 'array',
      uniqueItems: true,
      items: { type: 'string', pattern: '^arn:aws[a-z-]*:organizations::\\d{12}:organization/o-[a-z0-9]+$' },
      description: 'Added. AWS Organizations (ARNs) allowed to launch the AMIs.',
    },
    organizational_units: {
      type: 'array',
      uniqueItems: true,
      items: {
        type: 'string',
        pattern: '^arn:aws[a-z-]*:organizations::\\d{12}:ou/o-[a-z0-9]+/ou-[a-z0-9-]+$',
      },
      description: 'Added. Organizational units (ARNs) allowed to launch the AMIs.',
    },
    deprecate_after_days: {
      type: 'integer',
      minimum: 1,
      maximum: 3650,
      description: 'Added. Deprecate the AMIs this many days after the build (EnableImageDeprecation).',
    },
  },
  additionalProperties: false,
};

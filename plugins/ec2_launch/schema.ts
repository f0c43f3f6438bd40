/**
 * Settings of the `ec2_launch` plugin, ported from bootstrap-vz's
 * bootstrapvz/plugins/ec2_launch/manifest-schema.yml (andsens/bootstrap-vz at fcdc699).
 */
import type { JsonSchema } from '../../src/api/index.js';

export const schema: JsonSchema = {
  type: 'object',
  title: 'ec2_launch plugin',
  description: 'After registration, launch a test instance from the new AMI.',
  properties: {
    security_group_ids: {
      type: 'array',
      items: { type: 'string' },
      uniqueItems: true,
      description: 'Security groups of the instance.',
    },
    instance_type: { type: 'string', description: 'Instance type, e.g. t3.micro.' },
    ssh_key: { type: 'string', description: 'Name of the EC2 key pair to launch with.' },
    print_public_ip: { type: 'string', description: "File to write the instance's public IP address to." },
    tags: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Tags of the instance; values expand manifest variables.',
    },
    deregister_ami: {
      type: 'boolean',
      default: false,
      description: 'Deregister the AMI once the instance has started (a throwaway test build).',
    },
  },
  additionalProperties: false,
};

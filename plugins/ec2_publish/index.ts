/**
 * Plugin `ec2_publish` (bootstrap-vz's keys, plus accounts/organizations/deprecation): copy the AMI to
 * other regions, share it, deprecate it, write the AMI ids to a file (copy-image.ts).
 */
import { definePlugin, defineTask } from '../../src/api/index.js';
import { deregisterCopies, publishImage as publish } from './copy-image.js';
import { schema } from './schema.js';

export const publishImage = defineTask({
  id: 'ec2_publish/publish-image',
  phase: 'image-registration',
  description: 'Copy the AMI to other regions, set launch permissions and write the AMI ids',
  after: ['ec2/register-image'],
  cloudCalls: [
    'ec2 CopyImage (each region, in parallel)',
    'ec2 DescribeImages (until available)',
    'ec2 ModifyImageAttribute (launch permissions)',
    'ec2 EnableImageDeprecation',
  ],
  run: publish,
  undo: deregisterCopies,
});

export const ec2PublishPlugin = definePlugin({
  name: 'ec2_publish',
  kind: 'plugin',
  description: 'Copy the AMI to other regions, make it public or share it, write the AMI ids to a file',
  schema,
  tasks: [publishImage],
  check(manifest, report) {
    if (manifest.data.provider.name !== 'ec2')
      report.error('/plugins/ec2_publish', 'ec2_publish needs provider ec2');
    const url = manifest.pluginSettings<{ manifest_url?: string }>('ec2_publish')?.manifest_url;
    if (url?.startsWith('s3://'))
      report.error(
        '/plugins/ec2_publish/manifest_url',
        'writing the AMI ids to S3 is not supported in this version',
        'give a local file path',
      );
  },
  resolveTasks(_manifest, tasks) {
    tasks.add(publishImage);
  },
});

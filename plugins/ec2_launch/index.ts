/**
 * Plugin `ec2_launch` (bootstrap-vz's keys): launch an instance from the new AMI, print its address,
 * optionally write the public IP to a file and deregister the AMI (launch-instance.ts).
 */
import { definePlugin, defineTask } from '../../src/api/index.js';
import { instanceCleaner } from './instance-cleaner.js';
import { launchInstance as launch, terminateInstance } from './launch-instance.js';
import { schema } from './schema.js';

export const launchInstance = defineTask({
  id: 'ec2_launch/launch-instance',
  phase: 'image-registration',
  description: 'Launch an instance from the new AMI and print its address',
  after: ['ec2/register-image', 'ec2_publish/publish-image'],
  cloudCalls: [
    'ec2 RunInstances (tagged)',
    'ec2 DescribeInstances (until running)',
    'ec2 DeregisterImage (deregister_ami)',
  ],
  run: launch,
  undo: terminateInstance,
});

export const ec2LaunchPlugin = definePlugin({
  name: 'ec2_launch',
  kind: 'plugin',
  description: 'Launch an instance from the new AMI, print its address, optionally deregister the AMI',
  schema,
  tasks: [launchInstance],
  cleaners: [instanceCleaner],
  check(manifest, report) {
    if (manifest.data.provider.name !== 'ec2')
      report.error('/plugins/ec2_launch', 'ec2_launch needs provider ec2');
    else if (manifest.data.provider.publish === false)
      report.error(
        '/plugins/ec2_launch',
        'ec2_launch needs an AMI, and provider.publish is false',
        'remove ec2_launch, or publish the image',
      );
  },
  resolveTasks(_manifest, tasks) {
    tasks.add(launchInstance);
  },
});

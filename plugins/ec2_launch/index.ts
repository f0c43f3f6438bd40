/**
 * Plugin `ec2_launch` (bootstrap-vz's keys): launch an instance from the new AMI. Its settings are
 * validated now so bootstrap-vz manifests load unchanged; the task lands with the AMI publishing work
 * and is planned as unavailable until then.
 */
import { BuildError, definePlugin, defineTask } from '../../src/api/index.js';
import { schema } from './schema.js';

const UNAVAILABLE = 'not implemented yet (AMI publishing)';

export const launchInstance = defineTask({
  id: 'ec2_launch/launch-instance',
  phase: 'cleaning',
  description: 'Launch an instance from the new AMI and print its address',
  unavailable: UNAVAILABLE,
  async run() {
    throw new BuildError(`ec2_launch/launch-instance is ${UNAVAILABLE}`);
  },
});

export const ec2LaunchPlugin = definePlugin({
  name: 'ec2_launch',
  kind: 'plugin',
  description: 'Launch an instance from the new AMI, print its address, optionally deregister the AMI',
  schema,
  tasks: [launchInstance],
  check(manifest, report) {
    if (manifest.data.provider.name !== 'ec2')
      report.error('/plugins/ec2_launch', 'ec2_launch needs provider ec2');
  },
  resolveTasks(_manifest, tasks) {
    tasks.add(launchInstance);
  },
});

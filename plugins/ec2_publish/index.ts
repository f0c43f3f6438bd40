/**
 * Plugin `ec2_publish` (bootstrap-vz's keys): copy the AMI to other regions, share it, write the AMI
 * ids to a file. Its settings are validated now so bootstrap-vz manifests load unchanged; the tasks
 * land with the AMI publishing work and are planned as unavailable until then.
 */
import { BuildError, definePlugin, defineTask } from '../../src/api/index.js';
import { schema } from './schema.js';

const UNAVAILABLE = 'not implemented yet (AMI publishing)';

export const publishImage = defineTask({
  id: 'ec2_publish/publish-image',
  phase: 'image-registration',
  description: 'Copy the AMI to other regions, set launch permissions and write the AMI ids',
  after: ['ec2/register-image'],
  unavailable: UNAVAILABLE,
  async run() {
    throw new BuildError(`ec2_publish/publish-image is ${UNAVAILABLE}`);
  },
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
  },
  resolveTasks(_manifest, tasks) {
    tasks.add(publishImage);
  },
});

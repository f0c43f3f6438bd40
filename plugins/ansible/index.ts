/**
 * Plugin `ansible`: an Ansible playbook run from the build host against the image with the chroot
 * connection (bootstrap-vz's `ansible` plugin).
 */
import { definePlugin } from '../../src/api/index.js';
import { checkAnsible } from './check-ansible.js';
import { schema } from './schema.js';
import { addPython, checkPlaybook, runPlaybook } from './tasks.js';

export const ansiblePlugin = definePlugin({
  name: 'ansible',
  kind: 'plugin',
  description: 'Run an Ansible playbook against the image with the chroot connection',
  schema,
  tasks: [checkPlaybook, addPython, runPlaybook],
  check: checkAnsible,
  resolveTasks(_manifest, tasks) {
    tasks.add(checkPlaybook, addPython, runPlaybook);
  },
});

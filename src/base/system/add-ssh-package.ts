/** Preparation: openssh-server, the only way into a cloud image (bootstrap-vz AddOpenSSHPackage). */
import { PACKAGES, type Task } from '../../api/index.js';

export const addSshPackage: Task = {
  id: 'base/add-ssh-package',
  phase: 'preparation',
  description: 'Add the OpenSSH server package',
  async run(ctx) {
    ctx.state.get(PACKAGES).add('openssh-server');
  },
};

/**
 * Plugin `admin_user`: a user with passwordless sudo, reachable by SSH key and/or password, while root
 * cannot log in over SSH (bootstrap-vz's admin_user).
 */
import { definePlugin } from '../../src/api/index.js';
import { checkAdminUser } from './check.js';
import { schema } from './schema.js';
import type { AdminUserSettings } from './settings.js';
import {
  addSudoPackage,
  allowPasswordlessSudo,
  configureAdminSsh,
  createAdminUser,
  installAdminPublicKey,
  setAdminPassword,
} from './tasks.js';

export const adminUserPlugin = definePlugin({
  name: 'admin_user',
  kind: 'plugin',
  description: 'Create a user with passwordless sudo, log in by SSH key or password; root SSH logins refused',
  schema,
  tasks: [
    addSudoPackage,
    createAdminUser,
    allowPasswordlessSudo,
    setAdminPassword,
    installAdminPublicKey,
    configureAdminSsh,
  ],
  check: checkAdminUser,
  resolveTasks(manifest, tasks) {
    const s = manifest.pluginSettings<AdminUserSettings>('admin_user');
    tasks.add(addSudoPackage, createAdminUser, allowPasswordlessSudo, configureAdminSsh);
    if (s?.password !== undefined) tasks.add(setAdminPassword);
    if (s?.pubkey !== undefined) tasks.add(installAdminPublicKey);
  },
});

/**
 * Plugin `root_password`: root gets a password. As in bootstrap-vz, the base hardening that would
 * defeat it is not planned: base/lock-root-account (which locks root's password) and
 * base/configure-sshd (which turns SSH password authentication off).
 */
import { definePlugin } from '../../src/api/index.js';
import { schema } from './schema.js';
import { setRootPassword } from './tasks.js';

/** Base tasks this plugin removes from the plan (the one place: base plans them whatever the plugins). */
export const REMOVED_TASKS = ['base/lock-root-account', 'base/configure-sshd'];

export const rootPasswordPlugin = definePlugin({
  name: 'root_password',
  kind: 'plugin',
  description: "Set root's password and keep SSH password authentication on (test images)",
  schema,
  tasks: [setRootPassword],
  resolveTasks(_manifest, tasks) {
    tasks.add(setRootPassword);
    tasks.remove(...REMOVED_TASKS);
  },
});

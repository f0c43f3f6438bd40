/**
 * The EC2 guest: what the image needs inside to work as an instance. The provider's resolveTasks adds
 * `selectGuestTasks(manifest)` whatever the backing, also for local builds with `publish: false`.
 */
import type { Manifest, Task } from '../../../src/api/index.js';
import {
  addDefaultUser,
  addExpandRoot,
  addGuestPackages,
  addInitScriptPackages,
  addInitScripts,
  addNicDrivers,
  configureTimeSync,
} from './tasks.js';
import { wantsInitScripts } from './select-guest.js';

export const GUEST_TASKS: readonly Task[] = [
  addGuestPackages,
  addNicDrivers,
  configureTimeSync,
  addInitScriptPackages,
  addDefaultUser,
  addInitScripts,
  addExpandRoot,
];

/**
 * The init-script tasks, which cloud-init replaces (it creates the user, installs the key, runs
 * user-data, grows the root): the `cloud_init` plugin removes these ids, the one place that does.
 */
export const INIT_SCRIPT_TASK_IDS = [
  addInitScriptPackages.id,
  addDefaultUser.id,
  addInitScripts.id,
  addExpandRoot.id,
];

export function selectGuestTasks(manifest: Manifest): Task[] {
  const tasks: Task[] = [addGuestPackages, configureTimeSync];
  // pvm instances run Xen's paravirtual network front-end, never ENA or ixgbevf.
  if (manifest.data.provider['virtualization'] !== 'pvm') tasks.push(addNicDrivers);
  if (wantsInitScripts(manifest))
    tasks.push(addInitScriptPackages, addDefaultUser, addInitScripts, addExpandRoot);
  return tasks;
}

export { DEFAULT_USER } from './guest-files.js';

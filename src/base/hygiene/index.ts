/**
 * Image hygiene (system cleaning): remove what the build left behind and what must be unique per
 * instance, then audit the result. The lead wires `selectHygieneTasks` into the base plugin and lists
 * `hygieneTasks` in its catalogue.
 */
import type { Manifest, Task } from '../../api/index.js';
import { auditImage } from './audit-image.js';
import { cleanApt } from './clean-apt.js';
import { cleanTmp } from './clean-tmp.js';
import { removePolicyRcD } from './remove-policy-rc-d.js';
import { removeShellHistories } from './remove-shell-histories.js';
import { removeSshHostKeys } from './remove-ssh-host-keys.js';
import { resetMachineId } from './reset-machine-id.js';
import { resetResolvConf } from './reset-resolv-conf.js';
import { truncateLogs } from './truncate-logs.js';

export const hygieneTasks: readonly Task[] = [
  removeSshHostKeys,
  resetMachineId,
  cleanApt,
  truncateLogs,
  removeShellHistories,
  resetResolvConf,
  removePolicyRcD,
  cleanTmp,
  auditImage,
];

/** Every manifest gets all of them; the audit is what makes a leak a build failure. */
export function selectHygieneTasks(_manifest: Manifest): Task[] {
  return [...hygieneTasks];
}

export { scanForLeaks, formatLeak } from './scan-leaks.js';
export { createAuditImageTask } from './audit-image.js';

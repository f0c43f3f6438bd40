/**
 * System modification: `systemctl enable` for every unit in ENABLED_UNITS, in the chroot so the image's
 * own systemctl reads the units' [Install] sections. SYSTEMD_OFFLINE=1 makes systemctl edit the
 * symlinks directly instead of asking a running manager (there is none in a chroot).
 * Tasks that write unit files declare `before: ['base/enable-units']`.
 */
import { ENABLED_UNITS, type Task } from '../../api/index.js';
import { checkValue, imageRoot } from './image-paths.js';

export const enableUnits: Task = {
  id: 'base/enable-units',
  phase: 'system-modification',
  description: 'Enable systemd units',
  hostCommands: ['chroot'],
  async run(ctx) {
    const units = [...ctx.state.get(ENABLED_UNITS)].sort();
    if (units.length === 0) return;
    for (const unit of units) checkValue('systemd unit name', unit, /^[A-Za-z0-9][A-Za-z0-9@._:\\-]*$/);
    await ctx.runner.chroot(imageRoot(ctx), ['systemctl', 'enable', ...units], {
      env: { SYSTEMD_OFFLINE: '1' },
    });
  },
};

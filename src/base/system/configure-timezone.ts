/**
 * System modification: /etc/timezone and /etc/localtime -> /usr/share/zoneinfo/<zone> (bootstrap-vz
 * SetTimezone). The zone must exist in the image's tzdata; a typo fails here instead of silently
 * giving UTC at boot.
 */
import { BuildError, type Task } from '../../api/index.js';
import { checkValue, imageRoot, inImage } from './image-paths.js';

export const configureTimezone: Task = {
  id: 'base/configure-timezone',
  phase: 'system-modification',
  description: 'Set the timezone',
  async run(ctx) {
    const root = imageRoot(ctx);
    const zone = checkValue(
      'system.timezone',
      ctx.manifest.data.system.timezone,
      /^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/,
      'use a tz database name such as UTC or Europe/Berlin',
    );
    const zoneFile = `/usr/share/zoneinfo/${zone}`;
    if (!(await ctx.fs.exists(inImage(root, zoneFile))) && !ctx.dryRun) {
      throw new BuildError(`timezone "${zone}" is not in the image's tzdata (${zoneFile} is missing)`);
    }
    await ctx.fs.writeFile(inImage(root, '/etc/timezone'), `${zone}\n`, { mode: 0o644 });
    const localtime = inImage(root, '/etc/localtime');
    await ctx.fs.remove(localtime);
    // Absolute target, as tzdata's postinst and timedatectl write it.
    await ctx.fs.symlink(zoneFile, localtime);
  },
};

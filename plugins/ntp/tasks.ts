/** The ntp plugin's tasks: systemd-timesyncd installed and enabled, and its servers. */
import { defineTask, ENABLED_UNITS, imageRoot, PACKAGES, releaseNumber } from '../../src/api/index.js';
import { renderTimesyncdDropIn, TIMESYNCD_DROP_IN, TIMESYNCD_UNIT, timesyncdPackage } from './timesyncd.js';

export const addTimesyncd = defineTask({
  id: 'ntp/add-timesyncd',
  phase: 'preparation',
  description: 'Add systemd-timesyncd to the packages to install and the units to enable',
  async run(ctx) {
    const pkg = timesyncdPackage(releaseNumber(ctx.manifest.release));
    if (pkg) ctx.state.get(PACKAGES).add(pkg);
    // Its postinst enables it already; listing it makes the image's state not depend on that.
    ctx.state.get(ENABLED_UNITS).add(TIMESYNCD_UNIT);
  },
});

export const writeNtpServers = defineTask({
  id: 'ntp/write-servers',
  phase: 'system-modification',
  description: 'Set the NTP servers of systemd-timesyncd',
  before: ['base/enable-units'],
  async run(ctx) {
    const root = imageRoot(ctx);
    const servers = ctx.manifest.pluginSettings<{ servers?: readonly string[] }>('ntp')?.servers ?? [];
    if (servers.length === 0) return;
    const dir = TIMESYNCD_DROP_IN.slice(0, TIMESYNCD_DROP_IN.lastIndexOf('/'));
    await ctx.fs.mkdir(`${root}${dir}`, { mode: 0o755 });
    await ctx.fs.writeFile(`${root}${TIMESYNCD_DROP_IN}`, renderTimesyncdDropIn(servers), { mode: 0o644 });
  },
});

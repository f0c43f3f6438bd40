/** systemd-timesyncd's configuration and the facts about it that depend on the release (pure). */
import { DEBIAN, systemdValue } from '../../src/api/index.js';

/** Drop-in read after the package's timesyncd.conf; systemd gives the last drop-in the last word. */
export const TIMESYNCD_DROP_IN = '/etc/systemd/timesyncd.conf.d/90-bootstrap-ntp.conf';
export const TIMESYNCD_UNIT = 'systemd-timesyncd.service';

/** Other time daemons: each one conflicts with systemd-timesyncd in Debian's packages. */
export const OTHER_TIME_DAEMONS = ['ntp', 'ntpsec', 'chrony', 'openntpd'];

/** bullseye (11) split systemd-timesyncd out of the systemd package; buster has it in systemd. */
export function timesyncdPackage(releaseVersion: number): string | undefined {
  return releaseVersion >= DEBIAN.bullseye ? 'systemd-timesyncd' : undefined;
}

/** The oldest release this plugin is written for: buster (10), whose systemd has timesyncd and its drop-ins. */
export const OLDEST_RELEASE = DEBIAN.buster;

export function renderTimesyncdDropIn(servers: readonly string[]): string {
  return [
    '# Written by the image bootstrapper (plugins.ntp).',
    '[Time]',
    // NTP= replaces the compiled-in FallbackNTP (Debian's pool), which is then only used when no
    // other server is known.
    `NTP=${servers.map((s) => systemdValue(s, 'the NTP server')).join(' ')}`,
    '',
  ].join('\n');
}

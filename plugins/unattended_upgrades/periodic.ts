/**
 * apt's periodic jobs (APT::Periodic, read by apt.systemd.daily from apt-daily.timer and
 * apt-daily-upgrade.timer), as bootstrap-vz's EnablePeriodicUpgrades wrote them.
 *
 * bootstrap-vz wrote /etc/apt/apt.conf.d/02periodic. The unattended-upgrades package's postinst always
 * writes /etc/apt/apt.conf.d/20auto-upgrades (with "1" or "0", from its debconf question) setting
 * Update-Package-Lists and Unattended-Upgrade, and apt reads apt.conf.d in name order with the last
 * value winning: 20auto-upgrades overrode two of bootstrap-vz's three intervals. The file here sorts
 * after it, so the manifest's values are the ones apt uses.
 */
export interface UnattendedUpgradesSettings {
  readonly update_interval: number;
  readonly download_interval: number;
  readonly upgrade_interval: number;
}

export const PERIODIC_CONF = '/etc/apt/apt.conf.d/99periodic';

export function renderPeriodic(s: UnattendedUpgradesSettings): string {
  return [
    "// Written by the image bootstrapper (plugins.unattended_upgrades). It sorts after the package's",
    '// 20auto-upgrades on purpose: the last value apt reads wins.',
    '',
    '// Enable the update/upgrade script (0=disable)',
    'APT::Periodic::Enable "1";',
    '',
    '// Do "apt-get update" automatically every n-days (0=disable)',
    `APT::Periodic::Update-Package-Lists "${s.update_interval}";`,
    '',
    '// Do "apt-get upgrade --download-only" every n-days (0=disable)',
    `APT::Periodic::Download-Upgradeable-Packages "${s.download_interval}";`,
    '',
    '// Run the "unattended-upgrade" security upgrade script every n-days (0=disabled).',
    '// It logs to /var/log/unattended-upgrades.',
    `APT::Periodic::Unattended-Upgrade "${s.upgrade_interval}";`,
    '',
  ].join('\n');
}

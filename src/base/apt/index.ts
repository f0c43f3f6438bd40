/** The package-installation tasks of the base plugin: apt configuration, update, upgrade, install. */
import type { Manifest, Task } from '../../api/index.js';
import { aptUpdate } from './apt-update.js';
import { aptUpgrade } from './apt-upgrade.js';
import { mountAptArchives, unmountAptArchives } from './build-archives.js';
import { disableDaemonAutostart } from './disable-daemon-autostart.js';
import { installPackages } from './install-packages.js';
import { installTrustedKeys } from './install-trusted-keys.js';
import { writeAptPreferences } from './write-apt-preferences.js';
import { writeAptSources } from './write-apt-sources.js';

export { withSpecialMounts, SPECIAL_MOUNTS } from './special-mounts.js';
export {
  sourceLists,
  defaultSourceLines,
  renderSourceList,
  sourceListPath,
  sourceFiles,
  renderDeb822,
  usesDeb822Sources,
  wantsBackports,
} from './apt-sources.js';
export { preferenceFiles, aptConfFiles, renderPreferences, trustedKeyName } from './apt-config.js';
export { parsePackageSpec, installBatches, type PackageSpec, type InstallBatch } from './package-spec.js';
export { aptGetArgv, APT_ENV, installRecommends } from './apt-get.js';
export { POLICY_RC_D } from './disable-daemon-autostart.js';
export {
  aptUpdate,
  aptUpgrade,
  disableDaemonAutostart,
  installPackages,
  installTrustedKeys,
  writeAptPreferences,
  writeAptSources,
};

export { mountAptArchives, unmountAptArchives };

export const aptTasks: readonly Task[] = [
  mountAptArchives,
  unmountAptArchives,
  installTrustedKeys,
  writeAptSources,
  writeAptPreferences,
  disableDaemonAutostart,
  aptUpdate,
  aptUpgrade,
  installPackages,
];

/** The apt tasks this manifest needs. */
export function selectAptTasks(manifest: Manifest): Task[] {
  const p = manifest.data.packages;
  const keys = (p?.['trusted-keys'] ?? []).length > 0;
  const prefs =
    Object.keys(p?.preferences ?? {}).length > 0 || Object.keys(p?.['apt.conf.d'] ?? {}).length > 0;
  return aptTasks.filter((t) => (t !== installTrustedKeys || keys) && (t !== writeAptPreferences || prefs));
}

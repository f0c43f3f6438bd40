/**
 * System configuration tasks: packages every bootable image needs (preparation) and the configuration
 * of the installed system (system modification). The lead wires `selectSystemTasks` into the base plugin
 * and lists `systemTasks` in its catalogue.
 */
import type { Manifest, Task } from '../../api/index.js';
import { addKernelPackage } from './add-kernel-package.js';
import { addLocalePackages } from './add-locale-packages.js';
import { addNetworkPackages } from './add-network-packages.js';
import { addSshKeyRegeneration } from './add-ssh-key-regeneration.js';
import { addSshPackage } from './add-ssh-package.js';
import { configureLocale } from './configure-locale.js';
import { configureNetworking } from './configure-networking.js';
import { configureSshd } from './configure-sshd.js';
import { configureTimezone } from './configure-timezone.js';
import { enableUnits } from './enable-units.js';
import { keepBuildDns } from './keep-build-dns.js';
import { lockRootAccount } from './lock-root-account.js';
import { setHostname } from './set-hostname.js';
import { writeFstab } from './write-fstab.js';

export const systemTasks: readonly Task[] = [
  addKernelPackage,
  addSshPackage,
  addLocalePackages,
  addNetworkPackages,
  keepBuildDns,
  configureLocale,
  configureTimezone,
  setHostname,
  writeFstab,
  configureNetworking,
  configureSshd,
  lockRootAccount,
  addSshKeyRegeneration,
  enableUnits,
];

/**
 * The system tasks a manifest needs. Plugins that replace some of them remove them from the plan
 * themselves, each the one owner of its removal: root_password removes configure-sshd and
 * lock-root-account, cloud_init removes add-ssh-key-regeneration.
 */
export function selectSystemTasks(_manifest: Manifest): Task[] {
  return [
    addSshPackage,
    addLocalePackages,
    configureLocale,
    configureTimezone,
    setHostname,
    enableUnits,
    addKernelPackage,
    addNetworkPackages,
    keepBuildDns,
    writeFstab,
    configureNetworking,
    configureSshd,
    lockRootAccount,
    addSshKeyRegeneration,
  ];
}

export { kernelPackage } from './add-kernel-package.js';
export { fstabEntries, renderFstab, type FstabEntry } from './write-fstab.js';
export { imageHostname, renderHosts } from './set-hostname.js';
export { localeChoice } from './locale-name.js';
export { renderTemplate } from './render-template.js';

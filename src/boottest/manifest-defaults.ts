/**
 * What a build manifest says about booting its image: the firmware, the architecture, the user SSH
 * logs in as, whether SSH must work (cloud-init installs the injected key) and whether the image
 * claims IMDSv2 support. Command-line options override each of these.
 */
import type { ManifestData } from '../api/index.js';
import type { Firmware, GuestArch } from './qemu-argv.js';

export interface BootDefaults {
  readonly firmware: Firmware;
  readonly arch: GuestArch;
  readonly user: string;
  /** true when the manifest installs something that fetches the key (cloud-init); else undefined. */
  readonly expectSsh: boolean | undefined;
  readonly imageClaimsImdsV2: boolean;
  /** An EC2 image: run the EC2 guest checks; `initScripts` when the provider's init scripts are in it. */
  readonly ec2?: { readonly initScripts: boolean };
}

type ManifestView = {
  readonly data: Pick<ManifestData, 'system' | 'provider'>;
  pluginSettings<T = Readonly<Record<string, unknown>>>(name: string): T | undefined;
  isPluginEnabled(name: string): boolean;
};

export const NO_MANIFEST_DEFAULTS: BootDefaults = {
  firmware: 'bios',
  arch: 'amd64',
  user: 'root',
  expectSsh: undefined,
  imageClaimsImdsV2: false,
};

export function bootDefaults(m: ManifestView | undefined): BootDefaults {
  if (!m) return NO_MANIFEST_DEFAULTS;
  const cloudInit = m.isPluginEnabled('cloud_init')
    ? m.pluginSettings<{ username?: unknown }>('cloud_init')
    : undefined;
  const username = typeof cloudInit?.username === 'string' ? cloudInit.username : undefined;
  const ec2 = m.data.provider.name === 'ec2';
  // The EC2 init scripts install the launch key for `admin`, as cloud-init does on Debian's AMIs.
  const initScripts = ec2 && !cloudInit && m.data.provider['install_init_scripts'] !== false;
  return {
    // hybrid images boot both ways; BIOS is what EC2 uses on x86 when the AMI sets no boot mode.
    firmware: m.data.system.boot_mode === 'uefi' || m.data.system.architecture === 'arm64' ? 'uefi' : 'bios',
    arch: m.data.system.architecture === 'arm64' ? 'arm64' : 'amd64',
    user: username ?? (initScripts ? 'admin' : 'root'),
    expectSsh: cloudInit || initScripts ? true : undefined,
    imageClaimsImdsV2: ec2 && m.data.provider['imds_support'] === 'v2.0',
    ...(ec2 ? { ec2: { initScripts } } : {}),
  };
}

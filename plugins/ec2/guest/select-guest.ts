/**
 * Which guest pieces a manifest gets. Pure, so the rules are unit tested without building anything:
 * - init scripts (key, user-data, grow root, default user) when `provider.install_init_scripts` is not
 *   false and cloud-init is not enabled (cloud-init does all of that itself, as in bootstrap-vz);
 * - the NIC drivers in the initramfs, the Amazon Time Sync Service and the NVMe udev rules always: they
 *   are what makes the image an EC2 image, whoever configures the instance at boot.
 */
import { DEBIAN, releaseAtLeast, type Manifest } from '../../../src/api/index.js';

type ManifestView = Pick<Manifest, 'data' | 'release' | 'isPluginEnabled'>;

export function wantsInitScripts(m: ManifestView): boolean {
  return m.data.provider['install_init_scripts'] !== false && !m.isPluginEnabled('cloud_init');
}

/** Packages the guest pieces need in the image. */
export function guestPackages(m: ManifestView): string[] {
  // amazon-ec2-utils: the udev rules naming NVMe EBS volumes /dev/sdX and /dev/xvdX (bookworm and later).
  const packages = ['amazon-ec2-utils'];
  // systemd-timesyncd is its own package from bookworm on (part of systemd before).
  if (releaseAtLeast(m.release, DEBIAN.bookworm)) packages.push('systemd-timesyncd');
  if (wantsInitScripts(m)) {
    // curl: the metadata service with tokens; sudo: the default user's; cloud-guest-utils: growpart.
    packages.push('curl', 'sudo', 'cloud-guest-utils');
  }
  return packages;
}

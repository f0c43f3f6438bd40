/**
 * Which guest pieces a manifest gets. Pure, so the rules are unit tested without building anything:
 * - init scripts (key, user-data, grow root, default user) and the packages they need when
 *   `provider.install_init_scripts` is not false. The `cloud_init` plugin removes those tasks from the
 *   plan (cloud-init does all of that itself, as in bootstrap-vz): that removal is its alone;
 * - the NIC drivers in the initramfs, the Amazon Time Sync Service and the NVMe udev rules always: they
 *   are what makes the image an EC2 image, whoever configures the instance at boot.
 */
import { DEBIAN, releaseAtLeast, type Manifest } from '../../../src/api/index.js';

type ManifestView = Pick<Manifest, 'data' | 'release'>;

/** Whether the provider plans the init scripts (cloud_init then removes them: see above). */
export function wantsInitScripts(m: Pick<Manifest, 'data'>): boolean {
  return m.data.provider['install_init_scripts'] !== false;
}

/** Packages every EC2 image needs in the image, whoever configures the instance at boot. */
export function guestPackages(m: ManifestView): string[] {
  // amazon-ec2-utils: the udev rules naming NVMe EBS volumes /dev/sdX and /dev/xvdX (bookworm and later).
  const packages = ['amazon-ec2-utils'];
  // systemd-timesyncd is its own package from bookworm on (part of systemd before).
  if (releaseAtLeast(m.release, DEBIAN.bookworm)) packages.push('systemd-timesyncd');
  return packages;
}

/** What the init scripts need: curl (the metadata service with tokens), sudo (the default user's), growpart. */
export const INIT_SCRIPT_PACKAGES: readonly string[] = ['curl', 'sudo', 'cloud-guest-utils'];

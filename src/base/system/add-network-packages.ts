/**
 * Preparation: the packages the image needs to boot with systemd and get an address by DHCP.
 *
 * Networking choice: systemd-networkd with one `.network` file matching `en* eth*` and DHCP on. Without
 * cloud-init something must DHCP on the first interface whatever its name (ens5 on Nitro, eth0 with
 * net.ifnames=0, enp0s3 in QEMU); networkd does that with a glob, ships inside systemd (no extra
 * daemon), and is what Debian's own cloud images run under netplan. ifupdown would need the interface
 * name written down in advance. networkd hands DNS servers only to systemd-resolved, which is its own
 * package from bookworm on (part of systemd before), so it is added here; with cloud-init, cloud-init's
 * network config (rendered for networkd) sorts before our file and wins.
 *
 * `--variant=minbase` has no init system and no udev: systemd-sysv makes the image boot, udev creates
 * /dev/disk/by-uuid that fstab relies on, dbus lets hostnamed take the DHCP hostname. iproute2 (`ip`,
 * priority important, so in every variant but minbase) is what cloud-init's networkd renderer and
 * anyone debugging the network need.
 */
import { DEBIAN, ENABLED_UNITS, PACKAGES, releaseAtLeast, type Task } from '../../api/index.js';

export const addNetworkPackages: Task = {
  id: 'base/add-network-packages',
  phase: 'preparation',
  description: 'Add init, udev and systemd-networkd/resolved for DHCP networking',
  async run(ctx) {
    const packages = ctx.state.get(PACKAGES);
    for (const p of ['systemd-sysv', 'udev', 'dbus', 'iproute2']) packages.add(p);
    if (releaseAtLeast(ctx.manifest.release, DEBIAN.bookworm)) packages.add('systemd-resolved');
    const units = ctx.state.get(ENABLED_UNITS);
    units.add('systemd-networkd.service');
    units.add('systemd-resolved.service');
  },
};

/**
 * System modification: DHCP on every Ethernet interface through systemd-networkd (see
 * add-network-packages.ts for why networkd). The file sorts late (90-) so a more specific config
 * written by cloud-init or a provider (10-..., 50-...) matches first and wins for its interface;
 * networkd applies only the first matching file per interface.
 * The units it needs (systemd-networkd, systemd-resolved) are enabled by base/enable-units.
 */
import type { Task } from '../../api/index.js';
import { imageRoot, inImage } from './image-paths.js';
import { renderTemplate } from './render-template.js';

export const DHCP_NETWORK_FILE = '/etc/systemd/network/90-bootstrap-dhcp.network';

export const configureNetworking: Task = {
  id: 'base/configure-networking',
  phase: 'system-modification',
  description: 'Configure DHCP on all Ethernet interfaces with systemd-networkd',
  before: ['base/enable-units'],
  async run(ctx) {
    const root = imageRoot(ctx);
    await ctx.fs.mkdir(inImage(root, '/etc/systemd/network'), { mode: 0o755 });
    await ctx.fs.writeFile(inImage(root, DHCP_NETWORK_FILE), renderTemplate('system/dhcp.network.njk', {}), {
      mode: 0o644,
    });
  },
};

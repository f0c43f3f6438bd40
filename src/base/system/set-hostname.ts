/**
 * System modification: /etc/hostname and /etc/hosts. `system.hostname` is expanded with the manifest
 * variables, as bootstrap-vz did. Without one the image says `localhost`: systemd treats that static
 * name as unset, so a hostname from DHCP or cloud-init takes over at boot, and the build host's
 * name (which mmdebstrap copies in) never ships.
 */
import { BuildError, type Manifest, type Task } from '../../api/index.js';
import { imageRoot, inImage } from './image-paths.js';
import { renderTemplate } from './render-template.js';

const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export const DEFAULT_HOSTNAME = 'localhost';

/** The image's hostname, expanded and checked against RFC 1123. */
export function imageHostname(manifest: Manifest): string {
  const template = manifest.data.system.hostname;
  if (template === undefined || template === '') return DEFAULT_HOSTNAME;
  const name = manifest.expand(template);
  if (name.length > 253 || !name.split('.').every((label) => LABEL.test(label))) {
    throw new BuildError(
      `system.hostname "${template}" expands to "${name}", which is not a valid hostname`,
      'use letters, digits and hyphens, with dots between labels of at most 63 characters',
    );
  }
  return name;
}

export function renderHosts(hostname: string): string {
  const short = hostname.split('.')[0] ?? hostname;
  return renderTemplate('system/hosts.njk', {
    hostname: hostname === DEFAULT_HOSTNAME ? '' : hostname,
    short: short === hostname ? '' : short,
  });
}

export const setHostname: Task = {
  id: 'base/set-hostname',
  phase: 'system-modification',
  description: 'Set the hostname and /etc/hosts',
  async run(ctx) {
    const root = imageRoot(ctx);
    const hostname = imageHostname(ctx.manifest);
    await ctx.fs.writeFile(inImage(root, '/etc/hostname'), `${hostname}\n`, { mode: 0o644 });
    await ctx.fs.writeFile(inImage(root, '/etc/hosts'), renderHosts(hostname), { mode: 0o644 });
  },
};

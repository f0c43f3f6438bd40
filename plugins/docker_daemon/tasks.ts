/**
 * The docker_daemon plugin's tasks. bootstrap-vz downloaded a static binary from get.docker.io (gone)
 * and installed its own init script; here Docker is Debian's docker.io package, whose dependencies
 * (containerd, runc, iptables) apt resolves, and whose unit systemd starts at boot.
 */
import { defineTask, ENABLED_UNITS, imageRoot, PACKAGES } from '../../src/api/index.js';
import { dirname, join } from 'node:path';
import { DROP_IN_PATH, renderDropIn } from './docker-opts.js';

export interface DockerDaemonSettings {
  readonly version?: string;
  readonly docker_opts?: string;
}

/** docker.socket is what docker.service requires; Debian's postinst enables both. */
export const DOCKER_UNITS = ['docker.service', 'docker.socket'];

export const addDockerPackages = defineTask({
  id: 'docker_daemon/add-packages',
  phase: 'preparation',
  description: "Add Debian's docker.io to the packages and enable it at boot",
  async run(ctx) {
    ctx.state.get(PACKAGES).add('docker.io');
    // The package enables them itself, but only when its postinst can; listing them makes the image's
    // state not depend on that (and base/enable-units fails loudly if the units are missing).
    for (const unit of DOCKER_UNITS) ctx.state.get(ENABLED_UNITS).add(unit);
  },
});

export const writeDockerOpts = defineTask({
  id: 'docker_daemon/write-docker-opts',
  phase: 'system-modification',
  description: 'Pass docker_opts to dockerd through a docker.service drop-in',
  before: ['base/enable-units'],
  async run(ctx) {
    const root = imageRoot(ctx);
    const opts = ctx.manifest.pluginSettings<DockerDaemonSettings>('docker_daemon')?.docker_opts ?? '';
    const file = join(root, DROP_IN_PATH);
    await ctx.fs.mkdir(dirname(file), { mode: 0o755 });
    await ctx.fs.writeFile(file, renderDropIn(opts), { mode: 0o644 });
  },
});

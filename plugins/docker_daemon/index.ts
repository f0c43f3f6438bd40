/**
 * Plugin `docker_daemon`: the Docker daemon from Debian's docker.io package, started at boot, with
 * bootstrap-vz's `docker_opts`. Its `version` key cannot be honoured (Debian ships one version per
 * release) and is refused with a pointer to apt pinning.
 */
import { DEBIAN, definePlugin, releaseBefore } from '../../src/api/index.js';
import { dockerOptsProblem } from './docker-opts.js';
import { schema } from './schema.js';
import { addDockerPackages, writeDockerOpts, type DockerDaemonSettings } from './tasks.js';

export const dockerDaemonPlugin = definePlugin({
  name: 'docker_daemon',
  kind: 'plugin',
  description: "Install Docker from Debian's docker.io package, enabled at boot",
  schema,
  tasks: [addDockerPackages, writeDockerOpts],
  check(manifest, report) {
    const s = manifest.pluginSettings<DockerDaemonSettings>('docker_daemon') ?? {};
    if (s.version !== undefined) {
      report.error(
        '/plugins/docker_daemon/version',
        `Docker ${s.version} cannot be selected: the image gets the docker.io version of Debian ${manifest.release.codename}`,
        'remove version; to hold a specific docker.io build, pin it under packages.preferences',
      );
    }
    // docker.io was not part of stretch (9) or earlier releases; buster was the first to ship it again.
    if (releaseBefore(manifest.release, DEBIAN.buster)) {
      report.error(
        '/system/release',
        `plugin docker_daemon installs docker.io, which Debian ${manifest.release.codename} does not have`,
        'build buster (10) or later, or drop the docker_daemon plugin',
      );
    }
    const problem = s.docker_opts === undefined ? undefined : dockerOptsProblem(s.docker_opts);
    if (problem) report.error('/plugins/docker_daemon/docker_opts', `docker_opts ${problem}`);
  },
  resolveTasks(manifest, tasks) {
    tasks.add(addDockerPackages);
    const opts = manifest.pluginSettings<DockerDaemonSettings>('docker_daemon')?.docker_opts;
    if (opts !== undefined && opts.trim() !== '') tasks.add(writeDockerOpts);
  },
});

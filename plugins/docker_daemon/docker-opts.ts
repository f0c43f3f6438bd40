/**
 * `docker_opts` as a systemd drop-in. Debian's docker.service runs
 * `dockerd -H fd:// --containerd=... $DOCKER_OPTS` and reads /etc/default/docker (a conffile that sets
 * nothing); bootstrap-vz rewrote that file. A drop-in that sets DOCKER_OPTS leaves the conffile as
 * the package shipped it, so package upgrades never ask about it.
 *
 * systemd splits an unquoted $VAR at whitespace and does not interpret quotes inside it, so options
 * are whitespace-separated words; quotes and backslashes, which could only be misread, are refused.
 */
export const DROP_IN_PATH = '/etc/systemd/system/docker.service.d/bootstrap-docker-opts.conf';

/** Why a docker_opts value cannot be written, or undefined when it can. */
export function dockerOptsProblem(opts: string): string | undefined {
  if (/[\n\r]/.test(opts)) return 'must be one line';
  if (/["'\\]/.test(opts))
    return 'must not contain quotes or backslashes (systemd splits $DOCKER_OPTS at whitespace and does not interpret them)';
  return undefined;
}

export function renderDropIn(opts: string): string {
  // `%` starts a specifier in unit files; `%%` is a literal percent sign.
  const value = opts.trim().split(/\s+/).join(' ').replaceAll('%', '%%');
  return [
    '# Written by bootstrap from the manifest (plugins.docker_daemon.docker_opts).',
    '[Service]',
    `Environment="DOCKER_OPTS=${value}"`,
    '',
  ].join('\n');
}

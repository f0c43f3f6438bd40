/**
 * The admin user's SSH settings. sshd keeps the FIRST value it reads for a keyword, so these must be
 * read before base/configure-sshd's (`PermitRootLogin prohibit-password`, `PasswordAuthentication no`):
 * - bullseye and later include /etc/ssh/sshd_config.d/*.conf at the top of sshd_config, in name order:
 *   the drop-in 40-admin-user.conf comes before base's 50-bootstrap.conf;
 * - older releases have no Include: the block goes at the very top of sshd_config, and the task runs
 *   after base/configure-sshd so it lands above base's block.
 */
export const DROP_IN = '/etc/ssh/sshd_config.d/40-admin-user.conf';
export const BEGIN = '# BEGIN admin_user';
export const END = '# END admin_user';

/**
 * Root may not log in over SSH at all. With a password for the admin user, password authentication is
 * turned back on, as bootstrap-vz did (it dropped DisableSSHPasswordAuthentication): otherwise the
 * password would only work on the console.
 */
export function renderSshdBlock(opts: { readonly passwordLogin: boolean }): string {
  return [
    '# Written by the image bootstrapper (plugins.admin_user): log in as the admin user, not root.',
    'PermitRootLogin no',
    ...(opts.passwordLogin ? ['PasswordAuthentication yes'] : []),
    '',
  ].join('\n');
}

/** sshd_config with the block put (or replaced) at the top, for releases without the Include. */
export function prependBlock(sshdConfig: string, block: string): string {
  const start = sshdConfig.indexOf(BEGIN);
  const end = sshdConfig.indexOf(END);
  const rest =
    start >= 0 && end > start
      ? sshdConfig.slice(0, start) + sshdConfig.slice(end + END.length).replace(/^\n+/, '')
      : sshdConfig;
  return `${BEGIN}\n${block}${END}\n\n${rest}`;
}

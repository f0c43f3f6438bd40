/**
 * What the base plugin and admin_user both need to know about an image's sshd_config: sshd keeps the
 * first value it reads for a keyword, so where a setting goes depends on whether the file includes
 * the drop-in directory (Debian bullseye and later, at its top) or not (older releases).
 */

/** True when sshd_config includes /etc/ssh/sshd_config.d/*.conf, so drop-ins there are read first. */
export function hasSshdDropInInclude(sshdConfig: string): boolean {
  return /^\s*Include\s+\/etc\/ssh\/sshd_config\.d\/\*\.conf\s*$/m.test(sshdConfig);
}

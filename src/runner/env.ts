/**
 * The environment host commands see: a minimal, fixed set instead of the caller's environment, so a
 * build does not depend on the shell it was started from and credentials in the environment
 * (AWS_SECRET_ACCESS_KEY...) never reach tools that have no business seeing them.
 */

/** PATH inside a chroot: Debian's default for root. */
export const CHROOT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Fixed variables every command gets. Non-interactive so debconf and apt never wait on a prompt. */
export const FIXED_ENV: Readonly<Record<string, string>> = {
  LC_ALL: 'C.UTF-8',
  DEBIAN_FRONTEND: 'noninteractive',
};

/** Host variables passed through when set: where home and temp are, and how to reach a mirror. */
const PASS_THROUGH = [
  'HOME',
  'TMPDIR',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'SOURCE_DATE_EPOCH',
];

/** The host PATH with the sbin directories added: mkfs, losetup, parted live there. */
export function hostPath(path: string | undefined): string {
  const parts = (path ?? '/usr/bin:/bin').split(':').filter(Boolean);
  for (const dir of ['/usr/local/sbin', '/usr/sbin', '/sbin']) if (!parts.includes(dir)) parts.push(dir);
  return parts.join(':');
}

export function sanitizedEnv(
  base: Readonly<Record<string, string | undefined>>,
  extra: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  const env: Record<string, string> = { PATH: hostPath(base['PATH']), ...FIXED_ENV };
  for (const name of PASS_THROUGH) {
    const value = base[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}

/**
 * argv for a command inside a chroot. `env -i` clears what chroot inherits from the host, then sets
 * the fixed variables and the caller's extras as NAME=value arguments (not a shell string).
 */
export function chrootArgv(
  root: string,
  argv: readonly string[],
  extra: Readonly<Record<string, string>> | undefined,
): string[] {
  const vars = { PATH: CHROOT_PATH, ...FIXED_ENV, ...extra };
  const assignments = Object.entries(vars).map(([k, v]) => `${k}=${v}`);
  return ['chroot', root, '/usr/bin/env', '-i', ...assignments, ...argv];
}

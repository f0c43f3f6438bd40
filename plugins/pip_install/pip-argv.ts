/**
 * The pip command of the `pip_install` plugin, as pure functions.
 *
 * Debian 12 marks its Python "externally managed" (PEP 668): a plain `pip install` as root refuses to
 * run. Of the two ways out, this plugin passes --break-system-packages instead of creating a venv:
 * bootstrap-vz's meaning is "packages for the image's Python", importable by /usr/bin/python3 and with
 * their scripts on PATH, which a venv would not give. Debian's pip installs into /usr/local (never over
 * files of Debian packages in /usr/lib/python3), so apt stays consistent; a pip package shadows a
 * Debian one of the same name for python3, the trade-off the flag's name warns about. Older releases
 * (pip before 23) do not know the flag and do not need it.
 */
import { DEBIAN, releaseAtLeast, type ReleaseInfo } from '../../src/api/index.js';

/** First Debian release whose python3 is externally managed (bookworm). */
const EXTERNALLY_MANAGED_FROM = DEBIAN.bookworm;

export function isExternallyManaged(release: ReleaseInfo): boolean {
  return releaseAtLeast(release, EXTERNALLY_MANAGED_FROM);
}

/**
 * argv run in the image's chroot. `python3 -m pip` is the pip of the python3 the image runs. `cert` is
 * a CA bundle inside the image for pip to verify PyPI with, instead of the image's own.
 */
export function pipInstallArgv(packages: readonly string[], release: ReleaseInfo, cert?: string): string[] {
  return [
    'python3',
    '-m',
    'pip',
    'install',
    // No wheel cache left in /root/.cache, no prompt, no self-update check against PyPI.
    '--no-cache-dir',
    '--no-input',
    '--disable-pip-version-check',
    ...(isExternallyManaged(release) ? ['--break-system-packages', '--root-user-action=ignore'] : []),
    ...(cert !== undefined ? ['--cert', cert] : []),
    // `--` ends pip's options (optparse): a requirement never becomes one (`--index-url=...`, `-r`).
    '--',
    ...packages,
  ];
}

/**
 * Credentials embedded in requirement URLs (`git+https://user:token@host/repo`), to be masked in logs.
 * Both the whole user-info and its password part are returned.
 */
export function urlCredentials(packages: readonly string[]): string[] {
  const secrets = new Set<string>();
  for (const p of packages) {
    for (const m of p.matchAll(/:\/\/([^/@\s]+)@/g)) {
      const userinfo = m[1] ?? '';
      secrets.add(userinfo);
      const password = userinfo.split(':').slice(1).join(':');
      if (password !== '') secrets.add(password);
    }
  }
  return [...secrets];
}

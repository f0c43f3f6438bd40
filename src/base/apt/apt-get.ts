/**
 * How apt-get runs inside the image: non-interactive, keeping existing config files on upgrades,
 * retrying downloads, and without recommended packages unless `packages.install_recommends: true`.
 * No recommends by default because bootstrap-vz passed --no-install-recommends to every install and
 * upgrade (so its manifests yield the same package set), mmdebstrap bootstraps without them, and an
 * image should contain what the manifest lists: a recommended package is one more daemon or
 * dependency nobody asked for.
 */
import { BuildError, type Manifest, type RunOptions } from '../../api/index.js';

export const APT_ENV: Readonly<Record<string, string>> = {
  DEBIAN_FRONTEND: 'noninteractive',
  DEBCONF_NONINTERACTIVE_SEEN: 'true',
  LC_ALL: 'C.UTF-8',
};

export const APT_RUN_OPTIONS: RunOptions = { env: APT_ENV };

export function installRecommends(manifest: Manifest): boolean {
  return manifest.data.packages?.['install_recommends'] === true;
}

/**
 * `apt-get [options] <command> -- [packages]` with the options every install-like call uses. Options
 * (the target release included) come first and `--` ends them, so a package name can never be read
 * as an option (`-oDPkg::Pre-Invoke::=...` would run a shell command): apt-get's parser honours `--`.
 */
export function aptGetArgv(
  manifest: Manifest,
  command: 'install' | 'dist-upgrade',
  packages: readonly string[] = [],
  opts: { readonly target?: string } = {},
): string[] {
  if (opts.target !== undefined && (opts.target.startsWith('-') || /\s/.test(opts.target)))
    throw new BuildError(`the target release ${JSON.stringify(opts.target)} is not a suite name`);
  return [
    'apt-get',
    '--assume-yes',
    '-o',
    'Acquire::Retries=3',
    '-o',
    'Dpkg::Options::=--force-confdef',
    '-o',
    'Dpkg::Options::=--force-confold',
    ...(installRecommends(manifest) ? [] : ['--no-install-recommends']),
    ...(opts.target !== undefined ? ['-t', opts.target] : []),
    command,
    ...(packages.length > 0 ? ['--', ...packages] : []),
  ];
}

/**
 * `--error-on=any`: an unreachable source fails the update instead of being skipped with a warning,
 * which would build the image from stale lists without saying so.
 */
export const APT_UPDATE_ARGV: readonly string[] = [
  'apt-get',
  '-o',
  'Acquire::Retries=3',
  'update',
  '--error-on=any',
];

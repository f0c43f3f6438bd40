/**
 * The puppet plugin's commands and paths, as pure functions.
 *
 * bootstrap-vz installed Puppet Labs' PC1 packages (config in /etc/puppetlabs, binaries in
 * /opt/puppetlabs). This plugin installs Debian's own Puppet, whose configuration directory is
 * /etc/puppet and code directory /etc/puppet/code; the asset layout users kept for PC1 is translated.
 */
import { dirname, isAbsolute, posix, resolve } from 'node:path';
import { DEBIAN, positionalArg, releaseAtLeast, type ReleaseInfo } from '../../src/api/index.js';

export interface PuppetSettings {
  readonly manifest?: string;
  readonly assets?: string;
  readonly enable_agent?: boolean;
  readonly install_modules?: readonly (readonly string[])[];
}

/** Inside the image, removed after use: what the build copies in and Puppet's run state. */
export const STAGING_DIR = '/tmp/.puppet-bootstrap';

/** Relative paths are relative to the manifest file's directory. */
export function hostPathOf(manifestFile: string, path: string): string {
  return isAbsolute(path) ? path : resolve(dirname(manifestFile), path);
}

/**
 * Debian's package: `puppet-agent` from bookworm on (Puppet 7; `puppet` is a transitional package
 * there), `puppet` before (Puppet 4 to 5).
 */
export function puppetPackage(release: ReleaseInfo): string {
  return releaseAtLeast(release, DEBIAN.bookworm) ? 'puppet-agent' : 'puppet';
}

/**
 * `puppet module install` for one [name] or [name, version] entry, as bootstrap-vz ran it. Puppet's
 * face options are not documented to honour `--`, so a name or version starting with `-` is refused
 * (check-puppet.ts reports it at validate; this is the argv builder's own guard).
 */
export function moduleInstallArgv(module: readonly string[]): string[] {
  const [name = '', version] = module;
  return [
    'puppet',
    'module',
    'install',
    '--force',
    positionalArg(name, 'the puppet module name'),
    ...(version !== undefined ? ['--version', positionalArg(version, 'the puppet module version')] : []),
  ];
}

export interface AssetCopy {
  /** Image path of the staged source; its contents are copied (`cp -R SRC/. DST`). */
  readonly from: string;
  readonly to: string;
}

/**
 * Where each top-level entry of the assets directory goes. The assets mirror /etc/puppetlabs: PC1's
 * puppet/ (confdir) and code/ (codedir) are /etc/puppet and /etc/puppet/code in Debian's Puppet;
 * anything else (facter/, ...) goes to /etc/puppetlabs as bootstrap-vz put it.
 */
export function assetCopies(entries: readonly string[], staged: string): AssetCopy[] {
  return [...entries].sort().map((entry) => {
    const from = posix.join(staged, entry);
    if (entry === 'puppet') return { from, to: '/etc/puppet' };
    if (entry === 'code') return { from, to: '/etc/puppet/code' };
    return { from, to: posix.join('/etc/puppetlabs', entry) };
  });
}

/** In the chroot: copy a staged tree over its destination, root-owned, modes and times kept. */
export function copyArgv(copy: AssetCopy): string[] {
  return ['cp', '-R', '--preserve=mode,timestamps', '--no-target-directory', copy.from, copy.to];
}

/** Names at the top of an assets directory that show a Debian /etc/puppet layout, not /etc/puppetlabs. */
export const CONFDIR_FILES = ['puppet.conf', 'hiera.yaml', 'auth.conf', 'fileserver.conf'];

/**
 * `puppet apply` in the chroot. --detailed-exitcodes: without it puppet exits 0 even when resources
 * failed; with it 0 is "no changes", 2 "changes", 4 and 6 failures. Puppet's state, reports and
 * file backups go to the staging directory (removed afterwards), so the image keeps no report of the
 * build. The node name is the image's hostname, not the build host's.
 */
export function applyArgv(manifestInImage: string, certname: string | undefined): string[] {
  const vardir = posix.join(STAGING_DIR, 'var');
  return [
    'puppet',
    'apply',
    '--detailed-exitcodes',
    '--verbose',
    '--color=false',
    `--vardir=${vardir}`,
    `--publicdir=${posix.join(vardir, 'public')}`,
    ...(certname !== undefined ? [`--certname=${certname}`] : []),
    manifestInImage,
  ];
}

export const APPLY_OK_EXIT_CODES = [0, 2] as const;

/** A name Puppet accepts as a certname: the image's /etc/hostname when it is a plain hostname. */
export function certnameFrom(hostnameFile: string): string | undefined {
  const name = hostnameFile.trim().toLowerCase();
  return /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(name)
    ? name
    : undefined;
}

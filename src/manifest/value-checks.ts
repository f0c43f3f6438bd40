/**
 * Every value the build hands to another program or writes into the image, checked at `validate`,
 * so a dry run or a build never finds a manifest error that `validate` missed (issue 16):
 * - the image name once its variables are expanded (a file name for the image and the log, an AMI
 *   name: charset and length);
 * - values written into the image's configuration files (hostname, locale, charmap, timezone, mount
 *   options, user names): refused when they could add a line or an option, so every writer can
 *   write them verbatim;
 * - package names (Debian's syntax, `=version` or `/suite`; never a leading `-`, which apt-get and
 *   mmdebstrap would read as an option);
 * - files on this host that the manifest names (file_copy sources, keys, playbooks): present and
 *   readable now, not when the build reaches them.
 * The patterns that a JSON schema can state are in src/api/value-patterns.ts, used by the schemas too
 * (core-schema.ts and the plugins' schema.ts), so editors show the same rules.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { CheckReporter, Manifest } from '../api/index.js';
import {
  CHARMAP_PATTERN,
  HOSTNAME_PATTERN,
  LOCALE_PATTERN,
  NAME_MAX,
  TIMEZONE_PATTERN,
} from '../api/value-patterns.js';
import { joinPointer } from './pointer.js';

const PACKAGE_EXPANDED = /^[a-z0-9][a-z0-9+.-]+(=[A-Za-z0-9.+~:-]+|\/[A-Za-z0-9._-]+)?$/;
const NAME_EXPANDED = /^[A-Za-z0-9][A-Za-z0-9._+@()-]*$/;

const re = (p: string) => new RegExp(p);

/**
 * `hostFiles`: how a file the manifest names on this host is reported when it is missing or unreadable:
 * a warning where the manifest may be checked on another machine than the build host (`validate`,
 * `plan`, the dry run; bootstrap-vz's own examples name placeholder paths), an error before a real
 * build starts.
 */
export function checkValues(
  manifest: Manifest,
  report: CheckReporter,
  hostFiles: 'error' | 'warn' = 'warn',
): void {
  checkName(manifest, report);
  const data = manifest.data as unknown as Record<string, unknown>;
  const system = (data['system'] ?? {}) as Record<string, unknown>;
  const rules: [string, unknown, string, string][] = [
    ['/system/hostname', system['hostname'], HOSTNAME_PATTERN, 'is not a host name (RFC 1123)'],
    ['/system/locale', system['locale'], LOCALE_PATTERN, 'is not a locale such as en_US or C.UTF-8'],
    ['/system/charmap', system['charmap'], CHARMAP_PATTERN, 'is not a character map such as UTF-8'],
    ['/system/timezone', system['timezone'], TIMEZONE_PATTERN, 'is not a time zone such as Europe/Berlin'],
  ];
  for (const [pointer, value, pattern, why] of rules) {
    if (typeof value === 'string' && !re(pattern).test(value)) report.error(pointer, `${show(value)} ${why}`);
  }
  checkPackages(manifest, report);
  checkHostFiles(manifest, report, hostFiles);
}

function show(value: string): string {
  const s = JSON.stringify(value);
  return s.length > 80 ? `${s.slice(0, 77)}..."` : s;
}

function checkName(manifest: Manifest, report: CheckReporter): void {
  let name: string;
  try {
    name = manifest.expand(manifest.data.name);
  } catch {
    return; // variable-checks.ts reported it
  }
  if (name.length > NAME_MAX) {
    report.error(
      '/name',
      `the name is ${name.length} characters once expanded, more than ${NAME_MAX}`,
      'image file names, log file names and AMI names are limited; shorten the name',
    );
  } else if (!NAME_EXPANDED.test(name)) {
    report.error(
      '/name',
      `the name ${show(name)} (expanded) may hold only letters, digits and . _ + @ ( ) -, and starts with a letter or digit`,
      'it names the image file, the log file and the AMI',
    );
  }
}

function checkPackages(manifest: Manifest, report: CheckReporter): void {
  const install = manifest.data.packages?.install ?? [];
  install.forEach((raw, i) => {
    if (raw.endsWith('.deb')) return; // a local package: checkHostFiles
    let value: string;
    try {
      value = manifest.expand(raw);
    } catch {
      return;
    }
    if (!PACKAGE_EXPANDED.test(value)) {
      report.error(
        joinPointer('/packages/install', i),
        `${show(value)} is not a package name, name=version or name/release`,
      );
    }
  });
}

/** Files on this host that the manifest names: present and readable now. */
function checkHostFiles(manifest: Manifest, report: CheckReporter, level: 'error' | 'warn'): void {
  const base = dirname(manifest.file);
  const data = manifest.data as unknown as Record<string, unknown>;
  const packages = (data['packages'] ?? {}) as Record<string, unknown>;
  const bootstrapper = (data['bootstrapper'] ?? {}) as Record<string, unknown>;
  const plugins = (data['plugins'] ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const files: [string, unknown, 'file' | 'any'][] = [];
  if (typeof bootstrapper['keyring'] === 'string')
    files.push(['/bootstrapper/keyring', bootstrapper['keyring'], 'file']);
  const install = packages['install'];
  if (Array.isArray(install)) {
    install.forEach((p, i) => {
      if (typeof p === 'string' && p.endsWith('.deb')) files.push([`/packages/install/${i}`, p, 'file']);
    });
  }
  const keys = packages['trusted-keys'];
  if (Array.isArray(keys)) keys.forEach((k, i) => files.push([`/packages/trusted-keys/${i}`, k, 'file']));
  const copies = plugins['file_copy']?.['files'];
  if (Array.isArray(copies)) {
    copies.forEach((c, i) =>
      files.push([`/plugins/file_copy/files/${i}/src`, (c as Record<string, unknown>)['src'], 'any']),
    );
  }
  const playbook = plugins['ansible']?.['playbook'];
  if (playbook !== undefined) files.push(['/plugins/ansible/playbook', playbook, 'file']);
  const puppet = plugins['puppet'];
  if (puppet?.['manifest'] !== undefined)
    files.push(['/plugins/puppet/manifest', puppet['manifest'], 'file']);
  if (puppet?.['assets'] !== undefined) files.push(['/plugins/puppet/assets', puppet['assets'], 'any']);
  for (const [pointer, value, kind] of files) {
    if (typeof value !== 'string' || value.trim() === '') continue;
    const problem = hostFileProblem(resolve(base, value), kind);
    if (problem) {
      const hint =
        level === 'error'
          ? 'relative paths are relative to the manifest file'
          : 'the build stops here before any work unless the file is there; relative paths are relative to the manifest file';
      report[level](pointer, `${show(value)}: ${problem}`, hint);
    }
  }
}

function hostFileProblem(path: string, kind: 'file' | 'any'): string | undefined {
  try {
    const st = statSync(path);
    if (kind === 'file' && !st.isFile()) return `${path} is not a regular file`;
    if (!st.isFile() && !st.isDirectory()) return `${path} is neither a file nor a directory`;
    accessSync(path, constants.R_OK);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `${path} does not exist on this host`;
    if (code === 'EACCES') return `${path} cannot be read (permission denied)`;
    return `${path}: ${(err as Error).message}`;
  }
}

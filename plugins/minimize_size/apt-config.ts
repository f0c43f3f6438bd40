/**
 * apt drop-ins for /etc/apt/apt.conf.d, with bootstrap-vz's file names and settings (which it took from
 * Docker's mkimage/debootstrap).
 */
import type { MinimizeSizeSettings } from './settings.js';

export const APT_CONF_DIR = '/etc/apt/apt.conf.d';

export interface AptDropIn {
  readonly name: string;
  readonly content: string;
}

const HEADER = '// Written by the minimize_size plugin.\n';

/** apt's string syntax: a double-quoted value; quotes and backslashes cannot be escaped, so refuse them. */
function aptString(value: string): string {
  if (/["\\\n]/.test(value)) throw new RangeError(`cannot write ${JSON.stringify(value)} as an apt value`);
  return `"${value}"`;
}

/** The drop-ins that shape how apt downloads and keeps indexes; written before the first apt-get update. */
export function aptDropIns(s: MinimizeSizeSettings): AptDropIn[] {
  const apt = s.apt ?? {};
  const out: AptDropIn[] = [];
  if (apt.languages !== undefined) {
    out.push({
      name: '20languages',
      content: `${HEADER}Acquire::Languages { ${apt.languages.map((l) => `${aptString(l)};`).join(' ')} };\n`,
    });
  }
  if (apt.gzip_indexes === true) {
    out.push({
      name: '20gzip-indexes',
      content: `${HEADER}Acquire::GzipIndexes "true";\nAcquire::CompressionTypes::Order:: "gz";\n`,
    });
  }
  if (apt.autoremove_suggests === true) {
    out.push({
      name: '20autoremove-suggests',
      content: `${HEADER}Apt::AutoRemove::SuggestsImportant "false";\n`,
    });
  }
  return out;
}

/**
 * `autoclean`: apt empties its archive and binary caches after every dpkg run and update. Written
 * only at the end of the build: during it, base/install-packages copies the .deb files apt downloaded
 * into the persistent package cache after apt returns, and this hook would delete them first.
 */
export const AUTOCLEAN_DROP_IN: AptDropIn = {
  name: '90clean',
  content:
    HEADER +
    'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };\n' +
    'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };\n' +
    'Dir::Cache::pkgcache "";\n' +
    'Dir::Cache::srcpkgcache "";\n',
};

/**
 * apt preferences and configuration snippets from the manifest, in bootstrap-vz's layout: the name
 * `main` is the main file (/etc/apt/preferences, /etc/apt/apt.conf), any other name a file in the
 * matching .d directory.
 */
import { deb822Value, type Manifest } from '../../api/index.js';

export interface AptFile {
  /** Path relative to the image root. */
  readonly path: string;
  readonly content: string;
}

/** One preference block per entry, separated by blank lines (bootstrap-vz's Preference.__str__). */
export function renderPreferences(entries: readonly Readonly<Record<string, unknown>>[]): string {
  return entries
    .map(
      (e) =>
        // Each value one line: a newline would add a field or start another preference block.
        `Package: ${deb822Value(String(e['package']), 'the preference package')}\n` +
        `Pin: ${deb822Value(String(e['pin']), 'the preference pin')}\n` +
        `Pin-Priority: ${deb822Value(String(e['pin-priority']), 'the preference pin-priority')}\n`,
    )
    .join('\n');
}

export function preferenceFiles(manifest: Manifest): AptFile[] {
  return Object.entries(manifest.data.packages?.preferences ?? {}).map(([name, entries]) => ({
    path: name === 'main' ? 'etc/apt/preferences' : `etc/apt/preferences.d/${name}`,
    content: renderPreferences(entries),
  }));
}

export function aptConfFiles(manifest: Manifest): AptFile[] {
  return Object.entries(manifest.data.packages?.['apt.conf.d'] ?? {}).map(([name, content]) => ({
    path: name === 'main' ? 'etc/apt/apt.conf' : `etc/apt/apt.conf.d/${name}`,
    content: content.endsWith('\n') ? content : `${content}\n`,
  }));
}

/** .asc when the key is ASCII-armored, .gpg for a binary keyring: apt reads trusted.gpg.d by extension. */
export function trustedKeyName(fileName: string, content: Uint8Array): string {
  const armored = Buffer.from(content.subarray(0, 64)).toString('latin1').includes('-----BEGIN PGP');
  const base = fileName.replace(/\.(asc|gpg|key|pub)$/i, '');
  return `${base}${armored ? '.asc' : '.gpg'}`;
}

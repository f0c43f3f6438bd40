/**
 * Test helpers for instance-store bundles: a throw-away user certificate, a tag scanner for asserting
 * on the manifest as written, and `openBundle`, which opens a bundle with read-bundle.ts. Used by the
 * unit tests and by the moto integration test.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localBundleSource, unbundle, type BundleSource } from '../../../../plugins/ec2/bundle/index.js';

/** Generates a throw-away user certificate and key (RSA 2048) with the openssl CLI. */
export function makeUserCredentials(dir: string): { certPath: string; keyPath: string } {
  const certPath = join(dir, 'user-cert.pem');
  const keyPath = join(dir, 'user-key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=bundle-test',
      '-days',
      '2',
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ],
    { stdio: 'ignore' },
  );
  return { certPath, keyPath };
}

/** The text of the first <name>...</name> in `xml`. */
export function elementText(xml: string, name: string): string {
  const m = new RegExp(`<${name}(?: [^>]*)?>([^<]*)</${name}>`).exec(xml);
  if (!m) throw new Error(`no <${name}> in manifest`);
  return m[1] ?? '';
}

/** Every opening tag in document order, with its attributes as written: `image`, `part index="0"`. */
export function openingTags(xml: string): string[] {
  return [...xml.replace(/^<\?xml[^>]*\?>/, '').matchAll(/<([a-z0-9_]+)((?: [a-z0-9_]+="[^"]*")*)>/g)].map(
    (m) => (m[1] ?? '') + (m[2] ?? ''),
  );
}

export interface OpenedBundle {
  /** The name of the file inside the bundle's tar. */
  readonly fileName: string;
  /** The image, as `bootstrap unbundle` writes it. */
  readonly file: Buffer;
}

/**
 * Opens a bundle with the one reader there is, read-bundle.ts (what `bootstrap unbundle` runs; its own
 * tests hold it against a bundle written from the published format): signature, key, every part's and
 * the tar's digest checked, the image written to a temp file and read back.
 */
export async function openBundle(source: BundleSource | string, keyPath: string): Promise<OpenedBundle> {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-open-'));
  try {
    const outPath = join(dir, 'image');
    const result = await unbundle({
      source: typeof source === 'string' ? localBundleSource(source) : source,
      privateKeyPem: readFileSync(keyPath, 'utf8'),
      outPath,
    });
    return { fileName: result.entryName, file: readFileSync(outPath) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

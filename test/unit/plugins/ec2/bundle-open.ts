/**
 * Test-side reader of an instance-store bundle, written independently of the bundler: the key and IV
 * are unwrapped with the `openssl` CLI and the test's own private key, the manifest is read with a
 * tag scanner, and the archive is unpacked by the system `tar`. Used by the unit tests and by the
 * moto integration test (which downloads the objects first).
 */
import { execFileSync } from 'node:child_process';
import { createDecipheriv, createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

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

/** Unwraps a hex RSA-PKCS#1 v1.5 ciphertext with `openssl pkeyutl`; the plaintext is ASCII hex. */
export function unwrapHex(hexCiphertext: string, keyPath: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-unwrap-'));
  try {
    const inFile = join(dir, 'in');
    writeFileSync(inFile, Buffer.from(hexCiphertext, 'hex'));
    const out = execFileSync('openssl', [
      'pkeyutl',
      '-decrypt',
      '-inkey',
      keyPath,
      '-pkeyopt',
      'rsa_padding_mode:pkcs1',
      '-in',
      inFile,
    ]).toString('ascii');
    if (!/^[0-9a-f]{32}$/.test(out)) throw new Error(`unwrapped secret is not 32 hex chars: ${out}`);
    return Buffer.from(out, 'hex');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface OpenedBundle {
  readonly key: Buffer;
  readonly iv: Buffer;
  /** The decrypted, gunzipped tar stream. */
  readonly tar: Buffer;
  /** The one file inside the tar, as the system tar extracts it. */
  readonly fileName: string;
  readonly file: Buffer;
}

/**
 * Checks each part's SHA-1 against the manifest, decrypts their concatenation with node:crypto and
 * with `openssl enc` (both must agree), gunzips, checks the tar digest and extracts with `tar`.
 */
export function openBundle(
  manifestXml: string,
  readPart: (filename: string) => Buffer,
  keyPath: string,
): OpenedBundle {
  const key = unwrapHex(elementText(manifestXml, 'user_encrypted_key'), keyPath);
  const iv = unwrapHex(elementText(manifestXml, 'user_encrypted_iv'), keyPath);
  const parts = [
    ...manifestXml.matchAll(
      /<part index="(\d+)"><filename>([^<]+)<\/filename><digest algorithm="SHA1">([0-9a-f]+)<\/digest><\/part>/g,
    ),
  ];
  const chunks = parts.map((m, i) => {
    if (Number(m[1]) !== i) throw new Error(`part ${i} has index ${m[1]}`);
    const data = readPart(m[2] ?? '');
    const sha1 = createHash('sha1').update(data).digest('hex');
    if (sha1 !== m[3]) throw new Error(`part ${m[2]} digest ${sha1} != manifest ${m[3]}`);
    return data;
  });
  const encrypted = Buffer.concat(chunks);
  if (encrypted.length !== Number(elementText(manifestXml, 'bundled_size')))
    throw new Error('bundled_size differs from the sum of the parts');
  const decipher = createDecipheriv('aes-128-cbc', key, iv);
  const gz = Buffer.concat([decipher.update(encrypted), decipher.final()]);

  const dir = mkdtempSync(join(tmpdir(), 'bundle-open-'));
  try {
    const encFile = join(dir, 'enc');
    writeFileSync(encFile, encrypted);
    const viaOpenssl = execFileSync(
      'openssl',
      ['enc', '-d', '-aes-128-cbc', '-K', key.toString('hex'), '-iv', iv.toString('hex'), '-in', encFile],
      { maxBuffer: 1 << 30 },
    );
    if (!viaOpenssl.equals(gz)) throw new Error('openssl enc -d and node:crypto disagree');
    const tar = gunzipSync(gz);
    const digest = createHash('sha1').update(tar).digest('hex');
    if (digest !== elementText(manifestXml, 'digest'))
      throw new Error(`tar digest ${digest} != manifest ${elementText(manifestXml, 'digest')}`);
    const tarFile = join(dir, 'bundle.tar');
    writeFileSync(tarFile, tar);
    const names = execFileSync('tar', ['-tf', tarFile]).toString().trim().split('\n');
    if (names.length !== 1) throw new Error(`tar holds ${names.length} entries: ${names.join(', ')}`);
    const fileName = names[0] ?? '';
    const file = execFileSync('tar', ['-xOf', tarFile, fileName], { maxBuffer: 1 << 30 });
    return { key, iv, tar, fileName, file };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads a part from a directory. */
export const partsIn =
  (dir: string) =>
  (filename: string): Buffer =>
    readFileSync(join(dir, filename));

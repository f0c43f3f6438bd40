/**
 * Opens an instance-store bundle (ours, ec2-bundle-image's or euca2ools') and writes its disk image:
 * the reverse of write-bundle.ts, streaming, for `bootstrap unbundle`.
 *
 * 1. The manifest is read strictly (parse-manifest.ts).
 * 2. Its signature (RSA PKCS#1 v1.5, SHA-1, over <machine_configuration> + <image> as written) is
 *    verified with the user's certificate when one is given, else with the public half of the user's
 *    private key (the writers sign with the key whose certificate they encrypt for). That covers the
 *    part names and digests, the sizes, the image digest and the user-encrypted key and IV. What it
 *    cannot cover: <version>, <bundler> and the signature itself lie outside the signed text, and the
 *    ec2_encrypted_* values can only be checked by EC2, whose private key nobody else holds.
 * 3. The AES key and IV are unwrapped from user_encrypted_key/_iv with the user's private key (RSA
 *    PKCS#1 v1.5, the plaintext is 32 hex characters; Node answers a wrong key with random bytes
 *    rather than an error, "implicit rejection", so the form of the plaintext is what tells).
 * 4. Every part is checked to exist, then read whole (parts are 10 MiB in every writer; at most
 *    MAX_PART_BYTES), its SHA-1 compared with the manifest's before a byte of it is decrypted.
 * 5. AES-128-CBC, gunzip, and the tar's one file into a temporary file next to the output, while the
 *    SHA-1 of the tar stream is taken and compared with <image><digest>, and the file's size with
 *    <size>. Only then is the file renamed to the output; on any failure it is removed.
 *
 * Failures of the bundle (a missing or corrupted part, a wrong key, a tampered manifest) are
 * UnbundleErrors; `usage` ones are the caller's arguments (an unreadable key, no such manifest).
 */
import {
  constants,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  privateDecrypt,
  randomBytes,
  verify,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { lstat, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import {
  ManifestError,
  parseBundleManifest,
  type ManifestPartEntry,
  type ParsedManifest,
} from './parse-manifest.js';
import { extractSingleFile, TarError } from './tar-reader.js';

export class UnbundleError extends Error {
  constructor(
    message: string,
    /** True when the arguments are wrong rather than the bundle (exit 2 in the CLI). */
    readonly usage = false,
  ) {
    super(message);
  }
}

/** Where a bundle's manifest and parts are read from: a directory, an S3 prefix. */
export interface BundleSource {
  /** `dir/name.manifest.xml`, `s3://bucket/key`: for messages. */
  readonly location: string;
  readManifest(): Promise<string>;
  /** The part's size; an UnbundleError naming the part when it is missing. */
  partSize(filename: string): Promise<number>;
  readPart(filename: string): Promise<Buffer>;
}

/** Larger parts are refused: each is held in memory while its digest is checked. */
export const MAX_PART_BYTES = 64 * 1024 * 1024;
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** The manifest file and the parts next to it. */
export function localBundleSource(manifestPath: string): BundleSource {
  const dir = dirname(manifestPath);
  return {
    location: manifestPath,
    async readManifest() {
      let size: number;
      try {
        size = (await stat(manifestPath)).size;
      } catch (err) {
        throw new UnbundleError(`cannot read the manifest ${manifestPath}: ${(err as Error).message}`, true);
      }
      if (size > MAX_MANIFEST_BYTES)
        throw new UnbundleError(`${manifestPath} is ${size} bytes: not a bundle manifest`);
      return readFile(manifestPath, 'utf8');
    },
    async partSize(filename) {
      try {
        const s = await stat(join(dir, filename));
        if (!s.isFile()) throw new Error('not a regular file');
        return s.size;
      } catch (err) {
        throw new UnbundleError(
          `part ${filename} is missing: ${join(dir, filename)} (${(err as Error).message})`,
        );
      }
    },
    async readPart(filename) {
      try {
        return await readFile(join(dir, filename));
      } catch (err) {
        throw new UnbundleError(`cannot read part ${filename}: ${(err as Error).message}`);
      }
    },
  };
}

export interface UnbundleOptions {
  readonly source: BundleSource;
  /** PEM of the private key whose certificate the bundle's key was encrypted for. */
  readonly privateKeyPem: string;
  /** PEM of the certificate that signed the manifest; defaults to the private key's public half. */
  readonly certificatePem?: string;
  /** The image file to write; must not exist unless `overwrite`. */
  readonly outPath: string;
  readonly overwrite?: boolean;
  readonly signal?: AbortSignal;
}

export interface UnbundleResult {
  readonly manifest: ParsedManifest;
  /** Name of the file inside the tar. */
  readonly entryName: string;
  readonly size: number;
  readonly sparse: boolean;
  readonly parts: number;
}

function loadKeys(options: UnbundleOptions): { privateKey: KeyObject; verifier: KeyObject } {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKeyChecked(options.privateKeyPem);
  } catch (err) {
    throw new UnbundleError(`--key is not a PEM RSA private key (${(err as Error).message})`, true);
  }
  if (options.certificatePem === undefined) return { privateKey, verifier: createPublicKey(privateKey) };
  try {
    return { privateKey, verifier: new X509Certificate(options.certificatePem).publicKey };
  } catch (err) {
    throw new UnbundleError(`--cert is not a PEM X.509 certificate (${(err as Error).message})`, true);
  }
}

function createPrivateKeyChecked(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'rsa') throw new Error('the bundle format wraps its key with RSA');
  return key;
}

/** Unwraps a user_encrypted_key/_iv: RSA PKCS#1 v1.5 around 32 ASCII hex characters. */
function unwrap(ciphertext: Buffer, privateKey: KeyObject, what: string): Buffer {
  let plain: Buffer;
  try {
    plain = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, ciphertext);
  } catch {
    plain = Buffer.alloc(0);
  }
  const text = plain.toString('latin1');
  if (!/^[0-9a-fA-F]{32}$/.test(text))
    throw new UnbundleError(
      `wrong key: the given private key does not decrypt the bundle's ${what} (the bundle was made for another certificate, or its manifest was changed)`,
    );
  return Buffer.from(text, 'hex');
}

export async function unbundle(options: UnbundleOptions): Promise<UnbundleResult> {
  const { source, outPath } = options;
  const keys = loadKeys(options);
  const existing = await lstat(outPath).catch(() => undefined);
  // The image is renamed over --out: a device or a link there would be replaced, not written to.
  if (existing && !existing.isFile())
    throw new UnbundleError(`${outPath} exists and is not a regular file`, true);
  if (existing && !options.overwrite)
    throw new UnbundleError(`${outPath} exists (give --force to replace it)`, true);

  const xml = await source.readManifest();
  let manifest: ParsedManifest;
  try {
    manifest = parseBundleManifest(xml);
  } catch (err) {
    if (err instanceof ManifestError)
      throw new UnbundleError(`invalid manifest ${source.location}: ${err.message}`);
    throw err;
  }
  // The key first: a wrong --key says so, rather than failing the signature made by the right one.
  const key = unwrap(manifest.userEncryptedKey, keys.privateKey, 'key');
  const iv = unwrap(manifest.userEncryptedIv, keys.privateKey, 'IV');
  if (!manifest.signature)
    throw new UnbundleError(
      `the manifest ${source.location} is UNSIGNED: its parts and digests cannot be trusted`,
    );
  if (!verify('sha1', Buffer.from(manifest.signedText, 'utf8'), keys.verifier, manifest.signature))
    throw new UnbundleError(
      `the manifest ${source.location} does not match its signature: it was changed after signing, or signed by ` +
        (options.certificatePem
          ? 'another key than the --cert one'
          : 'another key than --key (give the signer with --cert)'),
    );

  let total = 0;
  for (const part of manifest.parts) {
    const size = await source.partSize(part.filename);
    if (size > MAX_PART_BYTES)
      throw new UnbundleError(
        `part ${part.filename} is ${size} bytes, more than the ${MAX_PART_BYTES} this reader holds`,
      );
    total += size;
  }
  if (total !== manifest.bundledSize)
    throw new UnbundleError(
      `the parts add up to ${total} bytes, the manifest says bundled_size ${manifest.bundledSize}`,
    );

  const tmp = join(dirname(outPath), `.${basename(outPath)}.unbundle-${randomBytes(4).toString('hex')}`);
  const out = await open(tmp, 'wx', 0o644).catch((err: Error) => {
    throw new UnbundleError(`cannot write next to ${outPath}: ${err.message}`, true);
  });
  try {
    const tarDigest = createHash('sha1');
    const decipher = createDecipheriv('aes-128-cbc', key, iv);
    const gunzip = createGunzip();
    // Byte mode with a small mark: at most about one part is read ahead (object mode would queue 16).
    const encrypted = Readable.from(checkedParts(source, manifest.parts, options.signal), {
      objectMode: false,
      highWaterMark: 1,
    });
    const stages = encrypted.pipe(decipher).pipe(gunzip);
    for (const s of [encrypted, decipher]) s.on('error', (err) => gunzip.destroy(err));
    const hashed = (async function* () {
      for await (const chunk of stages as AsyncIterable<Buffer>) {
        options.signal?.throwIfAborted();
        tarDigest.update(chunk);
        yield chunk;
      }
    })();
    let entry;
    try {
      entry = await extractSingleFile(hashed, out);
    } catch (err) {
      throw explain(err);
    } finally {
      encrypted.destroy();
    }
    const digest = tarDigest.digest('hex');
    if (digest !== manifest.digest)
      throw new UnbundleError(`the image digest is ${digest}, the manifest lists ${manifest.digest}`);
    if (entry.size !== manifest.size)
      throw new UnbundleError(`the image is ${entry.size} bytes, the manifest says ${manifest.size}`);
    await out.sync();
    await out.close();
    await rename(tmp, outPath);
    return {
      manifest,
      entryName: entry.name,
      size: entry.size,
      sparse: entry.sparse,
      parts: manifest.parts.length,
    };
  } catch (err) {
    await out.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  } finally {
    key.fill(0);
    iv.fill(0);
  }
}

/** Each part in order, checked against its digest before it is passed on. */
async function* checkedParts(
  source: BundleSource,
  parts: readonly ManifestPartEntry[],
  signal: AbortSignal | undefined,
): AsyncGenerator<Buffer> {
  for (const part of parts) {
    signal?.throwIfAborted();
    const data = await source.readPart(part.filename);
    const sha1 = createHash('sha1').update(data).digest('hex');
    if (sha1 !== part.sha1)
      throw new UnbundleError(
        `part ${part.index} (${part.filename}) is corrupted: its SHA-1 is ${sha1}, the manifest lists ${part.sha1}`,
      );
    // In 1 MiB slices, so the decipher and gunzip stages each hold a slice, not a part.
    for (let at = 0; at < data.length; at += 1 << 20) yield data.subarray(at, at + (1 << 20));
  }
}

/** Decryption, gzip and tar errors in a bundle's own words; ours pass through. */
function explain(err: unknown): unknown {
  if (err instanceof UnbundleError || (err as Error).name === 'AbortError') return err;
  if (err instanceof TarError)
    return new UnbundleError(`the decrypted bundle is not a valid image archive: ${err.message}`);
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (code.startsWith('ERR_OSSL') || code.startsWith('Z_'))
    return new UnbundleError(
      `the parts do not decrypt and gunzip (${(err as Error).message}): the key in the manifest is not the one the parts were encrypted with`,
    );
  return err;
}

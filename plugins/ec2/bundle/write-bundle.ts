/**
 * Writes an instance-store bundle of a raw image, in one streaming pass:
 * image -> tar (one entry) -> SHA-1 of the tar stream -> gzip -> AES-128-CBC (PKCS#7) -> 10 MiB parts,
 * then `<prefix>.manifest.xml`. Memory stays bounded whatever the image size: every stage is a stream
 * with back-pressure. What was written is removed again when the pass fails or is aborted.
 */
import { X509Certificate, createCipheriv, createHash } from 'node:crypto';
import { rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { loadUserKeys, randomCipherKey, wrapForCertificate } from './bundle-keys.js';
import {
  DEFAULT_BLOCK_DEVICE_MAPPING,
  renderManifest,
  type BlockDeviceMapping,
  type BundleManifest,
} from './manifest-xml.js';
import { PartWriter, partFilename, type BundlePart } from './part-writer.js';
import { tarOneFile } from './tar-entry.js';

export const EC2_PART_SIZE = 10 * 1024 * 1024;

/** euca2ools warns above this: EC2 refused larger instance-store images. */
export const EC2_MAX_IMAGE_BYTES = 10 * 1024 ** 3;

export interface BundleOptions {
  readonly imagePath: string;
  /** Name of the bundle: parts are `<prefix>.part.NN`, the manifest `<prefix>.manifest.xml`. */
  readonly prefix: string;
  /** Existing directory the parts and manifest are written to. */
  readonly outDir: string;
  readonly architecture: BundleManifest['architecture'];
  /** AWS account id; dashes are removed (1234-5678-9012 -> 123456789012). */
  readonly userId: string;
  readonly userCertificatePem: string;
  readonly userPrivateKeyPem: string;
  /** The region's EC2 certificate (ec2CertificatePem(region)). */
  readonly ec2CertificatePem: string;
  readonly blockDeviceMapping?: readonly BlockDeviceMapping[];
  readonly kernelId?: string;
  readonly ramdiskId?: string;
  /** Name of the entry inside the tar; defaults to `<prefix>`. */
  readonly tarName?: string;
  /** Defaults to 10 MiB; smaller only in tests. */
  readonly partSize?: number;
  readonly gzipLevel?: number;
  readonly bundlerVersion?: string;
  readonly signal?: AbortSignal;
  /** Called with the number of image bytes read so far. */
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
}

export interface Bundle {
  readonly prefix: string;
  readonly manifestFilename: string;
  readonly manifestPath: string;
  readonly parts: readonly BundlePart[];
  /** Hex SHA-1 of the tar stream (the manifest's image digest). */
  readonly digest: string;
  readonly size: number;
  readonly bundledSize: number;
}

/**
 * The account id as the manifest's <user> wants it: 12 digits, no dashes. bootstrap-vz's user-id may also
 * be an IAM user ARN (arn:aws:iam::123456789012:user/name): its account id is used.
 */
export function normalizeUserId(userId: string): string {
  const arn = /^arn:aws[a-z-]*:iam::(\d{12}):user\/.+$/.exec(userId);
  const digits = arn ? (arn[1] ?? '') : userId.replace(/-/g, '');
  if (!/^\d{12}$/.test(digits))
    throw new Error(
      `user id "${userId}" is not an AWS account id (1234-5678-9012, 123456789012) or IAM user ARN`,
    );
  return digits;
}

/**
 * The tar entry's name: the prefix, cut to 99 bytes so it fits the ustar name field whole (an AMI name
 * may have 128 characters, and the `tar` package writes a 100-byte name as `./name` through the prefix
 * field). EC2 reads the entry's data, not its name.
 */
export function tarEntryName(options: Pick<BundleOptions, 'tarName' | 'prefix'>): string {
  return (
    options.tarName ??
    Buffer.from(options.prefix)
      .subarray(0, 99)
      .toString('utf8')
      .replace(/\uFFFD$/, '')
  );
}

export async function writeBundle(options: BundleOptions): Promise<Bundle> {
  const user = normalizeUserId(options.userId);
  const keys = loadUserKeys(options.userCertificatePem, options.userPrivateKeyPem);
  const ec2Certificate = new X509Certificate(options.ec2CertificatePem);
  const { size, mtime } = await stat(options.imagePath);
  const { key, iv } = randomCipherKey();

  const tarDigest = createHash('sha1');
  let imageBytes = 0;
  const tee = new Transform({
    transform(chunk: Buffer, _enc, done) {
      tarDigest.update(chunk);
      imageBytes += chunk.length;
      options.onProgress?.(Math.min(imageBytes, size), size);
      done(null, chunk);
    },
  });
  const parts = new PartWriter(options.outDir, options.prefix, options.partSize ?? EC2_PART_SIZE);
  const manifestFilename = `${options.prefix}.manifest.xml`;
  const manifestPath = join(options.outDir, manifestFilename);

  try {
    await pipeline(
      Readable.from(tarOneFile(options.imagePath, tarEntryName(options), size, mtime, options.signal)),
      tee,
      createGzip({ level: options.gzipLevel ?? 6 }),
      createCipheriv('aes-128-cbc', key, iv),
      parts,
      { signal: options.signal },
    );
    const manifest: BundleManifest = {
      bundler: { name: 'debian-image-bootstrap', version: options.bundlerVersion ?? '0.1.0', release: '0' },
      architecture: options.architecture,
      blockDeviceMapping: options.blockDeviceMapping ?? DEFAULT_BLOCK_DEVICE_MAPPING,
      kernelId: options.kernelId,
      ramdiskId: options.ramdiskId,
      name: options.prefix,
      user,
      digest: tarDigest.digest('hex'),
      size,
      bundledSize: parts.parts.reduce((sum, p) => sum + p.size, 0),
      ec2EncryptedKey: wrapForCertificate(key, ec2Certificate),
      userEncryptedKey: wrapForCertificate(key, keys.certificate),
      ec2EncryptedIv: wrapForCertificate(iv, ec2Certificate),
      userEncryptedIv: wrapForCertificate(iv, keys.certificate),
      parts: parts.parts.map((p) => ({ index: p.index, filename: p.filename, sha1: p.sha1 })),
    };
    await writeFile(manifestPath, renderManifest(manifest, keys.privateKey), { mode: 0o644 });
    return {
      prefix: options.prefix,
      manifestFilename,
      manifestPath,
      parts: parts.parts,
      digest: manifest.digest,
      size,
      bundledSize: manifest.bundledSize,
    };
  } catch (err) {
    await removeBundleFiles(options.outDir, options.prefix, parts.parts.length + 1);
    throw err;
  } finally {
    key.fill(0);
    iv.fill(0);
  }
}

/** Deletes the parts (0..count-1) and manifest of a bundle; missing files are fine. */
export async function removeBundleFiles(dir: string, prefix: string, partCount: number): Promise<void> {
  const names = [`${prefix}.manifest.xml`];
  for (let i = 0; i < partCount; i++) names.push(partFilename(prefix, i));
  await Promise.all(names.map((n) => rm(join(dir, n), { force: true })));
}

/**
 * Uploads a written bundle to S3: every part, then the manifest last, so a manifest in the bucket never
 * names a part that is not there. Objects get the `aws-exec-read` canned ACL, which is how EC2 reads an
 * instance-store bundle owned by another account. Each object is a single PutObject: parts are at most
 * 10 MiB, and multipart upload would only add three requests per part (S3's minimum multipart part is
 * 5 MiB, so a part could be split at most in two).
 *
 * `onObjectStarting` is called before each PUT so the caller can journal the key first: an object whose
 * PUT was interrupted may still exist, and rollback must know to delete it.
 */
import { readFile } from 'node:fs/promises';
import {
  DeleteObjectCommand,
  PutObjectCommand,
  type ObjectCannedACL,
  type S3Client,
} from '@aws-sdk/client-s3';
import { BuildError } from '../../../src/api/index.js';
import type { Bundle } from './write-bundle.js';

export interface BundleUploadOptions {
  readonly s3: S3Client;
  readonly bucket: string;
  /** Prepended to every object key, e.g. `images/`; empty by default (bootstrap-vz's layout). */
  readonly keyPrefix?: string;
  readonly acl?: ObjectCannedACL;
  /** Parallel PUTs (default 4). */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  readonly onObjectStarting?: (key: string) => void | Promise<void>;
  readonly onObjectDone?: (key: string, bytes: number) => void | Promise<void>;
}

export interface UploadedBundle {
  /** RegisterImage's ImageLocation: `bucket/key-of-manifest`. */
  readonly imageLocation: string;
  /** Every key written, parts first, manifest last. */
  readonly keys: readonly string[];
}

/** Keys of a bundle's objects, in upload order. */
export function bundleObjectKeys(bundle: Bundle, keyPrefix = ''): string[] {
  return [...bundle.parts.map((p) => keyPrefix + p.filename), keyPrefix + bundle.manifestFilename];
}

/** S3 refuses any ACL but bucket-owner-full-control when the bucket has "Bucket owner enforced". */
export function aclRefusedMessage(bucket: string): string {
  return (
    `bucket ${bucket} refuses object ACLs (Object Ownership is "Bucket owner enforced", the default for ` +
    'new buckets), but EC2 reads instance-store bundles through the aws-exec-read ACL. Set the ' +
    `bucket's Object Ownership to "Bucket owner preferred" or "Object writer" ` +
    `(aws s3api put-bucket-ownership-controls --bucket ${bucket} --ownership-controls ` +
    "'Rules=[{ObjectOwnership=BucketOwnerPreferred}]'), or use another bucket"
  );
}

function errorName(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { name?: unknown; Code?: unknown };
    if (typeof e.Code === 'string') return e.Code;
    if (typeof e.name === 'string') return e.name;
  }
  return '';
}

async function putFile(options: BundleUploadOptions, key: string, path: string): Promise<void> {
  // A Buffer, not a file stream: the SDK retries a throttled or failed PUT only when it can resend
  // the body ("non-retryable streaming request" otherwise). Parts are <= 10 MiB, so memory stays at
  // concurrency x 10 MiB.
  const body = await readFile(path);
  await options.onObjectStarting?.(key);
  try {
    await options.s3.send(
      new PutObjectCommand({
        Bucket: options.bucket,
        Key: key,
        Body: body,
        ContentLength: body.length,
        ACL: options.acl ?? 'aws-exec-read',
      }),
      options.signal ? { abortSignal: options.signal } : {},
    );
  } catch (err) {
    if (errorName(err) === 'AccessControlListNotSupported')
      throw new BuildError(aclRefusedMessage(options.bucket));
    throw err;
  }
  await options.onObjectDone?.(key, body.length);
}

/** Runs `work` over `items` with at most `limit` in flight; the first failure stops new starts. */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
}

export async function uploadBundle(bundle: Bundle, options: BundleUploadOptions): Promise<UploadedBundle> {
  const prefix = options.keyPrefix ?? '';
  await eachLimited(bundle.parts, Math.max(1, options.concurrency ?? 4), (p) =>
    putFile(options, prefix + p.filename, p.path),
  );
  await putFile(options, prefix + bundle.manifestFilename, bundle.manifestPath);
  return {
    imageLocation: `${options.bucket}/${prefix}${bundle.manifestFilename}`,
    keys: bundleObjectKeys(bundle, prefix),
  };
}

/**
 * Deletes objects; S3 answers a DELETE of a missing key with success, so this is idempotent and safe on
 * keys whose PUT may never have arrived.
 */
export async function deleteBundleObjects(
  s3: S3Client,
  bucket: string,
  keys: readonly string[],
  concurrency = 8,
): Promise<void> {
  await eachLimited(keys, concurrency, async (key) => {
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  });
}

/**
 * `bootstrap cleanup` for kind `s3-object`: the bundle objects a killed build left in the bucket. Every
 * object is journaled before its PUT (bundle-image-task.ts), with id `bucket/key` once it landed; an
 * object whose PUT never completed is journaled without an id, so `remove` also takes the journal key
 * (`s3-object:bucket/key`). S3's DELETE succeeds on a missing key, so HeadObject tells `absent` apart.
 */
import { DeleteObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { CleanupScope, CloudCleaner } from '../../../src/api/index.js';
import { cleanupClients, closeCleanupClients } from '../aws/cleanup-clients.js';

function s3For(scope: CleanupScope): Promise<S3Client> {
  return cleanupClients(scope, 's3').then((c) => c.s3);
}

/** Closes the cleaner's connections. */
export const closeS3CleanerClients = closeCleanupClients;

/** `bucket/key` from an object id or a journal key. */
export function parseObjectId(id: string): { bucket: string; key: string } {
  const path = id.startsWith('s3-object:') ? id.slice('s3-object:'.length) : id;
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) throw new Error(`not an S3 object id: ${id}`);
  return { bucket: path.slice(0, slash), key: path.slice(slash + 1) };
}

export const s3ObjectCleaner: CloudCleaner = {
  kind: 's3-object',
  dispose: closeS3CleanerClients,
  async remove(id, scope) {
    const { bucket, key } = parseObjectId(id);
    const s3 = await s3For(scope);
    try {
      await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (name === 'NotFound' || name === 'NoSuchKey' || name === 'NoSuchBucket') return 'absent';
      throw err;
    }
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    scope.log(`deleted s3://${bucket}/${key}`);
    return 'deleted';
  },
};

/**
 * A bundle in S3 for read-bundle.ts: `s3://bucket/path/name.manifest.xml`, its parts under the same
 * `path/` (where upload-bundle.ts and ec2-upload-bundle put them). Each part is checked with HeadObject
 * before any is read, so a missing one is named before work starts; GetObject reads them one at a time.
 */
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { UnbundleError, type BundleSource } from './read-bundle.js';

export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

/** `s3://bucket/key` -> its parts; undefined for anything else. */
export function parseS3Url(url: string): S3Location | undefined {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  return m ? { bucket: m[1] ?? '', key: m[2] ?? '' } : undefined;
}

const isMissing = (err: unknown): boolean => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
};

export function s3BundleSource(s3: S3Client, where: S3Location, signal?: AbortSignal): BundleSource {
  const location = `s3://${where.bucket}/${where.key}`;
  const slash = where.key.lastIndexOf('/');
  const keyOf = (filename: string): string => (slash === -1 ? '' : where.key.slice(0, slash + 1)) + filename;
  const failed = (what: string, err: unknown): UnbundleError =>
    new UnbundleError(`${what}: ${(err as Error).name}: ${(err as Error).message}`);

  async function get(key: string): Promise<Buffer> {
    const out = await s3.send(new GetObjectCommand({ Bucket: where.bucket, Key: key }), {
      ...(signal ? { abortSignal: signal } : {}),
    });
    if (!out.Body) throw new Error('empty response');
    return Buffer.from(await out.Body.transformToByteArray());
  }

  return {
    location,
    async readManifest() {
      try {
        return (await get(where.key)).toString('utf8');
      } catch (err) {
        if (isMissing(err)) throw new UnbundleError(`no manifest at ${location}`, true);
        throw failed(`cannot read ${location}`, err);
      }
    },
    async partSize(filename) {
      const key = keyOf(filename);
      try {
        const head = await s3.send(new HeadObjectCommand({ Bucket: where.bucket, Key: key }), {
          ...(signal ? { abortSignal: signal } : {}),
        });
        return head.ContentLength ?? 0;
      } catch (err) {
        if (isMissing(err))
          throw new UnbundleError(`part ${filename} is missing: no s3://${where.bucket}/${key}`);
        throw failed(`cannot read s3://${where.bucket}/${key}`, err);
      }
    },
    async readPart(filename) {
      const key = keyOf(filename);
      try {
        return await get(key);
      } catch (err) {
        throw failed(`cannot read s3://${where.bucket}/${key}`, err);
      }
    },
  };
}

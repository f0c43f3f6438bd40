/**
 * `ec2/bundle-image` (volume.backing s3): bundles the detached raw volume as an instance-store image
 * (write-bundle.ts), uploads it to provider.bucket (upload-bundle.ts) and leaves the manifest's S3 path
 * in BuildState for ec2/register-image (RegisterImage ImageLocation). Every object is journaled before
 * its PUT; undo deletes each object whose PUT started and releases it in the journal. The local parts
 * are deleted as soon as they are uploaded (they are as large as the compressed image).
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BuildError,
  defineTask,
  rawImageFile,
  stateKey,
  VOLUME,
  type TaskContext,
} from '../../../src/api/index.js';
import { findBundleCredentials, readBundleCredentials } from './bundle-credentials.js';
import { loadUserKeys } from './bundle-keys.js';
import { ec2CertificatePem } from './ec2-certificates.js';
import { awsFor } from '../aws/context.js';
import { IMAGE_LOCATION } from '../aws/state.js';
import { deleteBundleObjects, uploadBundle } from './upload-bundle.js';
import { EC2_MAX_IMAGE_BYTES, normalizeUserId, writeBundle } from './write-bundle.js';

/** Objects whose PUT started, for undo (bucket and keys). The manifest's S3 path goes to IMAGE_LOCATION. */
const UPLOADED = stateKey<{ bucket: string; keys: string[]; confirmed: Set<string> }>(
  'ec2/bundle-objects',
  () => ({ bucket: '', keys: [], confirmed: new Set() }),
);

/**
 * A PUT the build aborted may still complete on the server after our DELETE (its body was already
 * sent); undo deletes such unconfirmed keys once more after this pause.
 */
const STRAGGLER_WAIT_MS = 2_000;

const journalKey = (bucket: string, key: string): string => `s3-object:${bucket}/${key}`;

function architecture(arch: string): 'i386' | 'x86_64' | 'arm64' {
  if (arch === 'amd64') return 'x86_64';
  if (arch === 'i386') return 'i386';
  if (arch === 'arm64') return 'arm64';
  throw new BuildError(`no EC2 architecture for ${arch}`);
}

function bundleDir(ctx: TaskContext): string {
  return join(ctx.workspace, 's3-bundle');
}

async function run(ctx: TaskContext): Promise<void> {
  const provider = ctx.manifest.data.provider as Record<string, unknown>;
  const bucket = provider.bucket;
  if (typeof bucket !== 'string' || bucket === '')
    throw new BuildError('provider.bucket is required for S3 backing');
  if (ctx.dryRun) {
    // Nothing is bundled or sent: the report lists the calls a real build makes.
    const name = ctx.manifest.expand(ctx.manifest.data.name).replace(/[^\w.+@-]+/g, '_');
    ctx.recordCloudCall({
      service: 's3',
      operation: 'PutObject',
      params: { bucket, keys: `${name}.part.NN, ${name}.manifest.xml`, acl: 'aws-exec-read' },
    });
    ctx.state.set(IMAGE_LOCATION, `${bucket}/${name}.manifest.xml`);
    return;
  }
  const found = findBundleCredentials(provider.credentials as Record<string, unknown> | undefined);
  if ('missing' in found) throw new BuildError(found.missing);
  const credentials = await readBundleCredentials(found).catch((err: Error) => {
    throw new BuildError(err.message);
  });
  try {
    loadUserKeys(credentials.certificatePem, credentials.privateKeyPem);
    normalizeUserId(credentials.userId);
  } catch (err) {
    throw new BuildError(`S3 bundle credentials (${found.source}): ${(err as Error).message}`);
  }

  const volume = ctx.state.get(VOLUME);
  const imagePath = volume ? rawImageFile(volume) : undefined;
  if (!imagePath) throw new BuildError('no raw image file to bundle (S3 backing builds into an image file)');
  // The build's clients from ec2/connect: region, credentials, endpoints, call recording.
  const aws = await awsFor(ctx);
  const endpoint = aws.endpointOf('s3');
  // Object keys, part names and the tar entry: the same safe file name base/export-image uses.
  const prefix = ctx.manifest.expand(ctx.manifest.data.name).replace(/[^\w.+@-]+/g, '_');
  const dir = bundleDir(ctx);
  await mkdir(dir, { recursive: true });

  ctx.log('info', `bundling ${imagePath} as ${prefix} (AES-128-CBC, 10 MiB parts)`);
  const bundle = await writeBundle({
    imagePath,
    prefix,
    outDir: dir,
    architecture: architecture(String(ctx.manifest.data.system.architecture)),
    userId: credentials.userId,
    userCertificatePem: credentials.certificatePem,
    userPrivateKeyPem: credentials.privateKeyPem,
    ec2CertificatePem: ec2CertificatePem(aws.region),
    signal: ctx.signal,
    onProgress: (done, total) => ctx.progress(done, total, 'bytes', 'bundling'),
  });
  if (bundle.size > EC2_MAX_IMAGE_BYTES)
    ctx.log('warn', 'the image is larger than 10 GiB, which EC2 refuses for instance-store AMIs');

  const uploaded = ctx.state.get(UPLOADED);
  uploaded.bucket = bucket;
  let sent = 0;
  try {
    const result = await uploadBundle(bundle, {
      s3: aws.s3,
      bucket,
      signal: ctx.signal,
      onObjectStarting: async (key) => {
        uploaded.keys.push(key);
        await ctx.journal.intend({
          plugin: 'ec2',
          kind: 's3-object',
          key: journalKey(bucket, key),
          region: aws.region,
          ...(endpoint ? { endpoint } : {}),
          product: true,
          detail: { bucket, key },
        });
      },
      onObjectDone: async (key, bytes) => {
        uploaded.confirmed.add(key);
        sent += bytes;
        ctx.progress(sent, bundle.bundledSize, 'bytes', 'uploading');
        await ctx.journal.created(journalKey(bucket, key), `${bucket}/${key}`);
      },
    });
    ctx.state.set(IMAGE_LOCATION, result.imageLocation);
    ctx.log(
      'info',
      `uploaded ${result.keys.length} objects to s3://${bucket}/ (${bundle.bundledSize} bytes)`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function undo(ctx: TaskContext): Promise<void> {
  await rm(bundleDir(ctx), { recursive: true, force: true });
  const uploaded = ctx.state.get(UPLOADED);
  if (uploaded.keys.length === 0) return;
  // The engine closes the clients after the rollback, so they are still open here.
  const { s3 } = await awsFor(ctx);
  await deleteBundleObjects(s3, uploaded.bucket, uploaded.keys);
  const unconfirmed = uploaded.keys.filter((k) => !uploaded.confirmed.has(k));
  if (unconfirmed.length > 0) {
    await new Promise((r) => setTimeout(r, STRAGGLER_WAIT_MS));
    await deleteBundleObjects(s3, uploaded.bucket, unconfirmed);
  }
  for (const key of uploaded.keys) await ctx.journal.released(journalKey(uploaded.bucket, key));
  ctx.log('info', `deleted ${uploaded.keys.length} bundle objects from s3://${uploaded.bucket}/`);
  uploaded.keys = [];
  uploaded.confirmed.clear();
  ctx.state.set(IMAGE_LOCATION, undefined);
}

export const bundleImage = defineTask({
  id: 'ec2/bundle-image',
  phase: 'image-registration',
  description: 'Bundle the image for an instance-store AMI and upload it to S3',
  before: ['ec2/register-image'],
  run,
  undo,
});

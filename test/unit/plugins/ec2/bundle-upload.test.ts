/**
 * Upload order, ACL, journal hook and the refused-ACL message of the bundle uploader, with an in-process
 * S3 client stand-in (moto does not refuse ACLs, so that error is only reproducible here and through the
 * fault proxy); and where the bundle credentials are taken from.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { BuildError } from '../../../../src/api/index.js';
import {
  findBundleCredentials,
  readBundleCredentials,
} from '../../../../plugins/ec2/bundle/bundle-credentials.js';
import { deleteBundleObjects, uploadBundle } from '../../../../plugins/ec2/bundle/upload-bundle.js';
import type { Bundle } from '../../../../plugins/ec2/bundle/write-bundle.js';

let dir: string;
let bundle: Bundle;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'bundle-upload-'));
  const parts = [0, 1, 2].map((index) => {
    const filename = `img.part.0${index}`;
    const path = join(dir, filename);
    writeFileSync(path, Buffer.alloc(100 + index));
    return { index, filename, path, size: 100 + index, sha1: 'x' };
  });
  writeFileSync(join(dir, 'img.manifest.xml'), '<manifest/>');
  bundle = {
    prefix: 'img',
    manifestFilename: 'img.manifest.xml',
    manifestPath: join(dir, 'img.manifest.xml'),
    parts,
    digest: 'd',
    size: 1,
    bundledSize: 303,
  };
});

after(() => rmSync(dir, { recursive: true, force: true }));

interface Sent {
  readonly kind: 'put' | 'delete';
  readonly key: string;
  readonly acl?: string | undefined;
  readonly length?: number | undefined;
}

function fakeS3(fail?: (key: string) => Error | undefined): { s3: S3Client; sent: Sent[] } {
  const sent: Sent[] = [];
  const s3 = {
    async send(command: unknown) {
      await new Promise((r) => setTimeout(r, 1));
      if (command instanceof PutObjectCommand) {
        const key = command.input.Key ?? '';
        const err = fail?.(key);
        if (err) throw err;
        sent.push({ kind: 'put', key, acl: command.input.ACL, length: command.input.ContentLength });
        return {};
      }
      if (command instanceof DeleteObjectCommand) {
        sent.push({ kind: 'delete', key: command.input.Key ?? '' });
        return {};
      }
      throw new Error('unexpected command');
    },
  } as unknown as S3Client;
  return { s3, sent };
}

describe('uploadBundle', () => {
  it('puts every part with aws-exec-read, then the manifest last, journaling each key first', async () => {
    const { s3, sent } = fakeS3();
    const journaled: string[] = [];
    const result = await uploadBundle(bundle, {
      s3,
      bucket: 'amis',
      keyPrefix: 'debian/',
      concurrency: 2,
      onObjectStarting: (key) => {
        journaled.push(key);
        // Journaled strictly before the PUT lands.
        assert.ok(!sent.some((s) => s.key === key));
      },
    });
    assert.equal(result.imageLocation, 'amis/debian/img.manifest.xml');
    assert.deepEqual(result.keys, [
      'debian/img.part.00',
      'debian/img.part.01',
      'debian/img.part.02',
      'debian/img.manifest.xml',
    ]);
    assert.deepEqual(journaled.sort(), [...result.keys].sort());
    assert.equal(sent.at(-1)?.key, 'debian/img.manifest.xml');
    assert.ok(sent.every((s) => s.kind === 'put' && s.acl === 'aws-exec-read'));
    assert.deepEqual(
      sent
        .slice(0, 3)
        .map((s) => s.length)
        .sort(),
      [100, 101, 102],
    );
  });

  it('explains a bucket that refuses ACLs, and uploads no manifest after a failed part', async () => {
    const refused = Object.assign(new Error('The bucket does not allow ACLs'), {
      name: 'AccessControlListNotSupported',
    });
    const { s3, sent } = fakeS3((key) => (key.endsWith('part.01') ? refused : undefined));
    await assert.rejects(uploadBundle(bundle, { s3, bucket: 'amis', concurrency: 1 }), (err: Error) => {
      assert.ok(err instanceof BuildError);
      assert.match(err.message, /bucket amis refuses object ACLs/);
      assert.match(err.message, /aws-exec-read/);
      assert.match(err.message, /BucketOwnerPreferred/);
      return true;
    });
    assert.deepEqual(
      sent.map((s) => s.key),
      ['img.part.00'],
    );
  });

  it('passes other errors through unchanged', async () => {
    const boom = Object.assign(new Error('no such bucket'), { name: 'NoSuchBucket' });
    const { s3 } = fakeS3(() => boom);
    await assert.rejects(uploadBundle(bundle, { s3, bucket: 'amis' }), (err) => err === boom);
  });

  it('deletes every key given, idempotently', async () => {
    const { s3, sent } = fakeS3();
    await deleteBundleObjects(s3, 'amis', ['a', 'b', 'c']);
    assert.deepEqual(sent.map((s) => `${s.kind}:${s.key}`).sort(), ['delete:a', 'delete:b', 'delete:c']);
  });
});

describe('bundle credentials', () => {
  const full = { certificate: '/c.pem', 'private-key': '/k.pem', 'user-id': '1234-5678-9012' };
  const env = { AWS_CERTIFICATE: '/env-c.pem', AWS_PRIVATE_KEY: '/env-k.pem', AWS_USER_ID: '111122223333' };

  it('takes the manifest when it has all three keys', () => {
    assert.deepEqual(findBundleCredentials(full, env), {
      certificatePath: '/c.pem',
      privateKeyPath: '/k.pem',
      userId: '1234-5678-9012',
      source: 'manifest',
    });
  });

  it('else the environment, never a mix of both', () => {
    const found = findBundleCredentials({ certificate: '/c.pem' }, env);
    assert.equal('source' in found && found.source, 'environment');
    assert.equal('certificatePath' in found && found.certificatePath, '/env-c.pem');
    const none = findBundleCredentials(
      { certificate: '/c.pem' },
      { AWS_PRIVATE_KEY: '/k', AWS_USER_ID: '1' },
    );
    assert.ok('missing' in none);
    assert.match(none.missing, /AWS_CERTIFICATE, AWS_PRIVATE_KEY and AWS_USER_ID/);
  });

  it('names an unreadable file and its source', async () => {
    await assert.rejects(
      readBundleCredentials({
        certificatePath: join(dir, 'absent.pem'),
        privateKeyPath: join(dir, 'absent.key'),
        userId: '123456789012',
        source: 'environment',
      }),
      /cannot read the user certificate .*absent\.pem \(from the environment\): ENOENT/,
    );
  });
});

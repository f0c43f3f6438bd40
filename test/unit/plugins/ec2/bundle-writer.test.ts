/**
 * The instance-store bundle writer against the reader (read-bundle.ts, itself tested against a bundle
 * written from the published format in bundle-unbundle.test.ts) and against the openssl CLI and the
 * system tar: the test's own key unwraps the AES key and IV (openssl pkeyutl), `openssl enc` decrypts,
 * gzip and tar unpack, and the result must be the image byte for byte. The manifest's element order,
 * part digests, sizes and signature (openssl dgst -verify) are checked as aws.md section 3 describes.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  ec2CertificateFile,
  ec2CertificatePem,
  normalizeUserId,
  partFilename,
  writeBundle,
  type BundleOptions,
} from '../../../../plugins/ec2/bundle/index.js';
import { tarEntryName } from '../../../../plugins/ec2/bundle/write-bundle.js';
import { elementText, makeUserCredentials, openBundle, openingTags } from './bundle-open.js';

/** The image in a bundle as the openssl CLI and the system tar open it (no code of ours involved). */
function openWithTools(xml: string, dir: string, keyPath: string): Buffer {
  const unwrap = (name: string): string => {
    const wrapped = join(dir, `${name}.bin`);
    writeFileSync(wrapped, Buffer.from(elementText(xml, name), 'hex'));
    const args = [
      'pkeyutl',
      '-decrypt',
      '-inkey',
      keyPath,
      '-pkeyopt',
      'rsa_padding_mode:pkcs1',
      '-in',
      wrapped,
    ];
    return execFileSync('openssl', args).toString('ascii');
  };
  const [key, iv] = [unwrap('user_encrypted_key'), unwrap('user_encrypted_iv')];
  assert.match(key, /^[0-9a-f]{32}$/);
  const parts = [...xml.matchAll(/<filename>([^<]+)<\/filename>/g)].map((m) => join(dir, m[1] ?? ''));
  const script = 'cat "$@" | openssl enc -d -aes-128-cbc -K "$KEY" -iv "$IV" | gzip -dc | tar -xOf -';
  return execFileSync('sh', ['-c', script, 'sh', ...parts], {
    env: { ...process.env, KEY: key, IV: iv },
    maxBuffer: 1 << 28,
  });
}

let dir: string;
let cert: string;
let key: string;
let keyPath: string;
let image: string;
let imageBytes: Buffer;

function options(outDir: string, extra: Partial<BundleOptions> = {}): BundleOptions {
  return {
    imagePath: image,
    prefix: 'debian-test',
    outDir,
    architecture: 'x86_64',
    userId: '1234-5678-9012',
    userCertificatePem: cert,
    userPrivateKeyPem: key,
    ec2CertificatePem: ec2CertificatePem('us-east-1'),
    ...extra,
  };
}

async function outDir(name: string): Promise<string> {
  const d = join(dir, name);
  await mkdir(d);
  return d;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'bundle-writer-'));
  const creds = makeUserCredentials(dir);
  keyPath = creds.keyPath;
  cert = readFileSync(creds.certPath, 'utf8');
  key = readFileSync(creds.keyPath, 'utf8');
  // Incompressible data and long zero runs, not a multiple of 512, so the tar padding matters.
  imageBytes = Buffer.concat([randomBytes(300_000), Buffer.alloc(700_000), randomBytes(12_345)]);
  image = join(dir, 'disk.raw');
  writeFileSync(image, imageBytes);
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe('writeBundle', () => {
  it('writes parts that decrypt, gunzip and untar to the image', async () => {
    const out = await outDir('roundtrip');
    const bundle = await writeBundle(options(out, { partSize: 16 * 1024 }));
    const xml = readFileSync(bundle.manifestPath, 'utf8');

    assert.ok(bundle.parts.length > 11, `expected more than ten 16 KiB parts, got ${bundle.parts.length}`);
    for (const p of bundle.parts.slice(0, -1)) assert.equal(p.size, 16 * 1024);
    assert.deepEqual(
      readdirSync(out).sort(),
      [...bundle.parts.map((p) => p.filename), 'debian-test.manifest.xml'].sort(),
    );
    assert.equal(bundle.parts[10]?.filename, 'debian-test.part.10');
    assert.equal(bundle.parts[0]?.filename, 'debian-test.part.00');

    const opened = await openBundle(bundle.manifestPath, keyPath);
    assert.equal(opened.fileName, 'debian-test');
    assert.ok(opened.file.equals(imageBytes), 'unpacked file differs from the image');
    assert.ok(openWithTools(xml, out, keyPath).equals(imageBytes), 'openssl and tar unpack another file');
    assert.equal(bundle.digest, elementText(xml, 'digest'));
    assert.equal(Number(elementText(xml, 'size')), imageBytes.length);
    const onDisk = bundle.parts.reduce((s, p) => s + statSync(p.path).size, 0);
    assert.equal(Number(elementText(xml, 'bundled_size')), onDisk);
    // AES-CBC with PKCS#7: a whole number of 16-byte blocks.
    assert.equal(onDisk % 16, 0);
  });

  it('writes the manifest elements in the order EC2 expects', async () => {
    const out = await outDir('order');
    const bundle = await writeBundle(options(out, { partSize: 400_000 }));
    const xml = readFileSync(bundle.manifestPath, 'utf8');
    assert.match(xml, /^<\?xml version="1\.0" \?>\n<manifest>/);
    const partTags = bundle.parts.flatMap((p) => [
      `part index="${p.index}"`,
      'filename',
      'digest algorithm="SHA1"',
    ]);
    assert.deepEqual(openingTags(xml), [
      'manifest',
      'version',
      'bundler',
      'name',
      'version',
      'release',
      'machine_configuration',
      'architecture',
      'block_device_mapping',
      // ami, root, ephemeral0, swap: the default mapping of ec2-bundle-image.
      ...[1, 2, 3, 4].flatMap(() => ['mapping', 'virtual', 'device']),
      'image',
      'name',
      'user',
      'type',
      'digest algorithm="SHA1"',
      'size',
      'bundled_size',
      'ec2_encrypted_key algorithm="AES-128-CBC"',
      'user_encrypted_key algorithm="AES-128-CBC"',
      'ec2_encrypted_iv',
      'user_encrypted_iv',
      `parts count="${bundle.parts.length}"`,
      ...partTags,
      'signature',
    ]);
    assert.equal(elementText(xml, 'version'), '2007-10-10');
    assert.equal(elementText(xml, 'user'), '123456789012');
    assert.equal(elementText(xml, 'type'), 'machine');
    assert.equal(elementText(xml, 'architecture'), 'x86_64');
    assert.match(xml, /<mapping><virtual>root<\/virtual><device>\/dev\/sda1<\/device><\/mapping>/);
    for (const p of bundle.parts) {
      const sha1 = createHash('sha1').update(readFileSync(p.path)).digest('hex');
      assert.ok(xml.includes(`<filename>${p.filename}</filename><digest algorithm="SHA1">${sha1}</digest>`));
    }
  });

  it('signs machine_configuration + image with the user key (openssl dgst -verify)', async () => {
    const out = await outDir('signature');
    const bundle = await writeBundle(options(out));
    const xml = readFileSync(bundle.manifestPath, 'utf8');
    const signed = xml.slice(xml.indexOf('<machine_configuration>'), xml.indexOf('<signature>'));
    assert.ok(signed.endsWith('</image>'));
    const pub = join(out, 'pub.pem');
    writeFileSync(pub, new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(out, 'signed'), signed);
    writeFileSync(join(out, 'sig'), Buffer.from(elementText(xml, 'signature'), 'hex'));
    const verdict = execFileSync('openssl', [
      'dgst',
      '-sha1',
      '-verify',
      pub,
      '-signature',
      join(out, 'sig'),
      join(out, 'signed'),
    ]).toString();
    assert.match(verdict, /Verified OK/);
    // A different byte is caught: the check above is not vacuous.
    writeFileSync(join(out, 'signed'), signed.replace('<type>machine', '<type>kernel'));
    assert.throws(() =>
      execFileSync(
        'openssl',
        ['dgst', '-sha1', '-verify', pub, '-signature', join(out, 'sig'), join(out, 'signed')],
        {
          stdio: 'pipe',
        },
      ),
    );
  });

  it('wraps the key for the region EC2 certificate (1024-bit default, 2048-bit cn-north-1)', async () => {
    assert.equal(ec2CertificateFile('eu-west-1'), 'cert-ec2.pem');
    assert.equal(ec2CertificateFile('us-gov-west-1'), 'cert-ec2-gov.pem');
    assert.equal(ec2CertificateFile('cn-north-1'), 'cert-ec2-cn-north-1.pem');
    const def = await writeBundle(options(await outDir('ec2-default')));
    const cn = await writeBundle(
      options(await outDir('ec2-cn'), { ec2CertificatePem: ec2CertificatePem('cn-north-1') }),
    );
    const defXml = readFileSync(def.manifestPath, 'utf8');
    const cnXml = readFileSync(cn.manifestPath, 'utf8');
    assert.match(elementText(defXml, 'ec2_encrypted_key'), /^[0-9a-f]{256}$/);
    assert.match(elementText(defXml, 'ec2_encrypted_iv'), /^[0-9a-f]{256}$/);
    assert.match(elementText(cnXml, 'ec2_encrypted_key'), /^[0-9a-f]{512}$/);
    // Each bundle gets a fresh random key: same image, different ciphertext.
    assert.notEqual(def.parts[0]?.sha1, cn.parts[0]?.sha1);
    assert.equal(def.digest, cn.digest);
  });

  it('refuses a private key that is not the certificate’s, before writing anything', async () => {
    const out = await outDir('mismatch');
    const other = makeUserCredentials(await outDir('other-creds'));
    await assert.rejects(
      writeBundle(options(out, { userPrivateKeyPem: readFileSync(other.keyPath, 'utf8') })),
      /private key does not belong to the user certificate/,
    );
    assert.deepEqual(readdirSync(out), []);
  });

  it('takes an account id with or without dashes, or an IAM user ARN', () => {
    assert.equal(normalizeUserId('1234-5678-9012'), '123456789012');
    assert.equal(normalizeUserId('arn:aws:iam::123456789012:user/iamuser'), '123456789012');
    assert.throws(() => normalizeUserId('me'), /not an AWS account id/);
    assert.throws(() => normalizeUserId('1234-5678-901'), /not an AWS account id/);
  });

  it('cuts a long prefix to fit the ustar name field for the tar entry', async () => {
    const prefix = 'debian-' + 'x'.repeat(120);
    assert.equal(tarEntryName({ prefix }).length, 99);
    const out = await outDir('long-name');
    const bundle = await writeBundle(options(out, { prefix }));
    const opened = await openBundle(bundle.manifestPath, keyPath);
    assert.equal(opened.fileName, prefix.slice(0, 99));
    assert.ok(opened.file.equals(imageBytes));
    assert.ok(bundle.parts[0]?.filename.startsWith(prefix));
  });

  it('removes what it wrote when aborted part-way', async () => {
    const out = await outDir('abort');
    const controller = new AbortController();
    let seen = 0;
    await assert.rejects(
      writeBundle(
        options(out, {
          partSize: 16 * 1024,
          signal: controller.signal,
          onProgress: (read) => {
            seen = read;
            if (read > 400_000) controller.abort();
          },
        }),
      ),
      { name: 'AbortError' },
    );
    assert.ok(seen > 400_000 && seen < imageBytes.length + 2048, `aborted at ${seen}`);
    assert.deepEqual(readdirSync(out), []);
    assert.equal(partFilename('x', 123), 'x.part.123');
  });
});

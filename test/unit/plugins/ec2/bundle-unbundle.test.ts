/**
 * `bootstrap unbundle` (plugins/ec2/bundle/read-bundle.ts) through the in-process CLI, on bundles made
 * two ways: by a small writer in this file that follows the published format and not our writer (the
 * system's GNU tar with --sparse as ec2-bundle-image runs it, or plain ustar; gzip -9; AES-128-CBC;
 * parts with SHA-1; the key and IV as hex wrapped with RSA PKCS#1 v1.5; the manifest in Amazon's or
 * euca2ools' element order, signed RSA-SHA1), and by our writer (write-bundle.ts). Then what must be
 * refused with exit 1 and nothing written: a corrupted part, a missing part, a wrong key, a changed
 * manifest, an unknown element, a wrong image digest, an abort; and exit 2 for wrong arguments.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  constants,
  createCipheriv,
  createHash,
  publicEncrypt,
  randomBytes,
  sign,
  X509Certificate,
  createPrivateKey,
} from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import {
  ec2CertificatePem,
  localBundleSource,
  unbundle,
  writeBundle,
  type BundleSource,
} from '../../../../plugins/ec2/bundle/index.js';
import { runCli } from '../../../helpers/run-cli.js';
import { makeUserCredentials } from './bundle-open.js';

interface IndependentBundle {
  readonly dir: string;
  readonly manifestPath: string;
  readonly partNames: string[];
}

interface WriterOptions {
  /** GNU tar --sparse (ec2-bundle-image) or POSIX ustar. */
  readonly tarFormat: 'gnu-sparse' | 'ustar';
  /** Amazon's tools put <type> after <user>, euca2ools after <bundled_size>. */
  readonly order: 'amazon' | 'euca2ools';
  readonly partSize: number;
  /** Replaces the manifest's tar digest (a bundle whose signed digest is wrong). */
  readonly digest?: string;
}

/** A bundle written from the published format (aws.md section 3), sharing no code with write-bundle.ts. */
function independentBundle(
  dir: string,
  imagePath: string,
  name: string,
  certPem: string,
  keyPem: string,
  o: WriterOptions,
): IndependentBundle {
  mkdirSync(dir, { recursive: true });
  const tarArgs = o.tarFormat === 'gnu-sparse' ? ['--format=gnu', '--sparse'] : ['--format=ustar'];
  const tar = execFileSync(
    'tar',
    ['-c', ...tarArgs, '--owner', '0', '--group', '0', '-C', join(imagePath, '..'), name],
    { maxBuffer: 1 << 28 },
  );
  const key = randomBytes(16).toString('hex');
  const iv = randomBytes(16).toString('hex');
  const cipher = createCipheriv('aes-128-cbc', Buffer.from(key, 'hex'), Buffer.from(iv, 'hex'));
  const encrypted = Buffer.concat([cipher.update(gzipSync(tar, { level: 9 })), cipher.final()]);
  const partNames: string[] = [];
  const partXml: string[] = [];
  for (let i = 0, at = 0; at < encrypted.length; i++, at += o.partSize) {
    const data = encrypted.subarray(at, at + o.partSize);
    const file = `${name}.part.${i}`; // ec2-bundle-image pads to two digits; any name will do
    writeFileSync(join(dir, file), data);
    partNames.push(file);
    const sha1 = createHash('sha1').update(data).digest('hex');
    partXml.push(
      `<part index="${i}"><filename>${file}</filename><digest algorithm="SHA1">${sha1}</digest></part>`,
    );
  }
  const wrap = (pem: string, secret: string): string =>
    publicEncrypt(
      { key: new X509Certificate(pem).publicKey, padding: constants.RSA_PKCS1_PADDING },
      Buffer.from(secret, 'ascii'),
    ).toString('hex');
  const ec2 = ec2CertificatePem('us-east-1');
  const digest = o.digest ?? createHash('sha1').update(tar).digest('hex');
  const type = '<type>machine</type>';
  const image =
    `<image><name>${name}</name><user>123456789012</user>` +
    (o.order === 'amazon' ? type : '') +
    `<digest algorithm="SHA1">${digest}</digest><size>${statSync(imagePath).size}</size>` +
    `<bundled_size>${encrypted.length}</bundled_size>` +
    (o.order === 'euca2ools' ? type : '') +
    `<ec2_encrypted_key algorithm="AES-128-CBC">${wrap(ec2, key)}</ec2_encrypted_key>` +
    `<user_encrypted_key algorithm="AES-128-CBC">${wrap(certPem, key)}</user_encrypted_key>` +
    `<ec2_encrypted_iv>${wrap(ec2, iv)}</ec2_encrypted_iv><user_encrypted_iv>${wrap(certPem, iv)}</user_encrypted_iv>` +
    `<parts count="${partNames.length}">${partXml.join('')}</parts></image>`;
  const machine =
    '<machine_configuration><architecture>x86_64</architecture><block_device_mapping>' +
    '<mapping><virtual>ami</virtual><device>sda1</device></mapping>' +
    '<mapping><virtual>root</virtual><device>/dev/sda1</device></mapping>' +
    '</block_device_mapping><product_codes><product_code>abc</product_code></product_codes>' +
    '</machine_configuration>';
  const signature = sign('sha1', Buffer.from(machine + image), createPrivateKey(keyPem)).toString('hex');
  const manifest =
    (o.order === 'amazon' ? '<?xml version="1.0"?>' : '') +
    '<manifest><version>2007-10-10</version>' +
    '<bundler><name>independent-test</name><version>1</version><release>1</release></bundler>' +
    machine +
    image +
    `<signature>${signature}</signature></manifest>`;
  const manifestPath = join(dir, `${name}.manifest.xml`);
  writeFileSync(manifestPath, manifest);
  return { dir, manifestPath, partNames };
}

describe('bootstrap unbundle', () => {
  let dir = '';
  let certPem = '';
  let keyPem = '';
  let keyPath = '';
  let otherKeyPath = '';
  let imagePath = '';
  let image: Buffer;
  let n = 0;
  const out = (): string => join(dir, `out-${++n}`, 'disk.raw');

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'unbundle-'));
    const creds = makeUserCredentials(dir);
    keyPath = creds.keyPath;
    certPem = readFileSync(creds.certPath, 'utf8');
    keyPem = readFileSync(creds.keyPath, 'utf8');
    mkdirSync(join(dir, 'other'));
    otherKeyPath = makeUserCredentials(join(dir, 'other')).keyPath;
    // A disk image with holes (GNU tar --sparse stores only the data) and an odd size.
    mkdirSync(join(dir, 'img'));
    imagePath = join(dir, 'img', 'disk.img');
    image = Buffer.alloc(3 * 1024 * 1024 + 777);
    randomBytes(200_000).copy(image, 0);
    randomBytes(70_000).copy(image, 2 * 1024 * 1024 + 5);
    image.fill(7, image.length - 300);
    writeFileSync(imagePath, image);
    execFileSync('fallocate', ['--dig-holes', imagePath], { stdio: 'ignore' });
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  async function unbundleCli(manifest: string, outPath: string, key = keyPath, extra: string[] = []) {
    mkdirSync(join(outPath, '..'), { recursive: true });
    return runCli(['unbundle', manifest, '--key', key, '--out', outPath, ...extra]);
  }

  /** Exit 1 with `message`, and nothing left in the output directory. */
  async function refused(manifest: string, message: RegExp, key = keyPath): Promise<void> {
    const target = out();
    const r = await unbundleCli(manifest, target, key);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /nothing was written/);
    assert.deepEqual(readdirSync(join(target, '..')), []);
  }

  it('opens a bundle of GNU tar --sparse in Amazon’s element order (as ec2-bundle-image makes it)', async () => {
    const b = independentBundle(join(dir, 'amazon'), imagePath, 'disk.img', certPem, keyPem, {
      tarFormat: 'gnu-sparse',
      order: 'amazon',
      partSize: 64 * 1024,
    });
    assert.ok(b.partNames.length > 3);
    const target = out();
    const r = await unbundleCli(b.manifestPath, target);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stderr,
      /signature, \d+ part digests and the image digest verified; disk\.img \(3146505 bytes, sparse\)/,
    );
    assert.ok(readFileSync(target).equals(image), 'the unbundled image differs');
    assert.deepEqual(readdirSync(join(target, '..')), ['disk.raw']);
  });

  it('reads a sparse map longer than the header holds (GNU extension headers)', async () => {
    mkdirSync(join(dir, 'holes'));
    const holesPath = join(dir, 'holes', 'holes.img');
    const holes = Buffer.alloc(4 * 1024 * 1024);
    // 60 islands of data 64 KiB apart: the map needs the header's 4 slots and 3 extension blocks.
    for (let i = 0; i < 60; i++) randomBytes(4096).copy(holes, i * 65536 + 8192);
    writeFileSync(holesPath, holes);
    execFileSync('fallocate', ['--dig-holes', holesPath], { stdio: 'ignore' });
    const b = independentBundle(join(dir, 'holes-bundle'), holesPath, 'holes.img', certPem, keyPem, {
      tarFormat: 'gnu-sparse',
      order: 'amazon',
      partSize: 1024 * 1024,
    });
    const target = out();
    const r = await unbundleCli(b.manifestPath, target);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /holes\.img \(4194304 bytes, sparse\)/);
    assert.ok(readFileSync(target).equals(holes));
  });

  it('opens a ustar bundle in euca2ools’ element order, without an XML declaration', async () => {
    const b = independentBundle(join(dir, 'euca'), imagePath, 'disk.img', certPem, keyPem, {
      tarFormat: 'ustar',
      order: 'euca2ools',
      partSize: 1024 * 1024,
    });
    const target = out();
    const r = await unbundleCli(b.manifestPath, target);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(readFileSync(target).equals(image));
  });

  it('opens a bundle of our writer, and refuses to replace an output without --force', async () => {
    const bundleDir = join(dir, 'ours');
    mkdirSync(bundleDir);
    const bundle = await writeBundle({
      imagePath,
      prefix: 'debian-test',
      outDir: bundleDir,
      architecture: 'x86_64',
      userId: '1234-5678-9012',
      userCertificatePem: certPem,
      userPrivateKeyPem: keyPem,
      ec2CertificatePem: ec2CertificatePem('us-east-1'),
      partSize: 256 * 1024,
    });
    const target = out();
    const r = await unbundleCli(bundle.manifestPath, target);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(readFileSync(target).equals(image));
    const again = await unbundleCli(bundle.manifestPath, target);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /exists \(give --force to replace it\)/);
    assert.equal((await unbundleCli(bundle.manifestPath, target, keyPath, ['--force'])).status, 0);
    const device = await unbundleCli(bundle.manifestPath, '/dev/null', keyPath, ['--force']);
    assert.equal(device.status, 2);
    assert.match(device.stderr, /\/dev\/null exists and is not a regular file/);
  });

  describe('refusals', () => {
    let bundle: IndependentBundle;
    let copyN = 0;
    /** A fresh copy of the good bundle to spoil. */
    const copy = (): IndependentBundle => {
      const d = join(dir, `spoilt-${++copyN}`);
      mkdirSync(d);
      for (const f of readdirSync(bundle.dir)) writeFileSync(join(d, f), readFileSync(join(bundle.dir, f)));
      return { dir: d, manifestPath: join(d, 'disk.img.manifest.xml'), partNames: bundle.partNames };
    };

    before(() => {
      bundle = independentBundle(join(dir, 'good'), imagePath, 'disk.img', certPem, keyPem, {
        tarFormat: 'gnu-sparse',
        order: 'amazon',
        partSize: 64 * 1024,
      });
    });

    it('a corrupted part, naming it', async () => {
      const b = copy();
      const part = join(b.dir, 'disk.img.part.2');
      const data = readFileSync(part);
      data[100] = (data[100] ?? 0) ^ 1;
      writeFileSync(part, data);
      await refused(
        b.manifestPath,
        /part 2 \(disk\.img\.part\.2\) is corrupted: its SHA-1 is [0-9a-f]{40}, the manifest lists/,
      );
    });

    it('a missing part, before any work', async () => {
      const b = copy();
      rmSync(join(b.dir, 'disk.img.part.3'));
      await refused(b.manifestPath, /part disk\.img\.part\.3 is missing/);
    });

    it('a key the bundle was not made for', async () => {
      await refused(
        bundle.manifestPath,
        /wrong key: the given private key does not decrypt the bundle's key/,
        otherKeyPath,
      );
    });

    it('a manifest changed after signing (size, a part digest, the architecture)', async () => {
      const xml = readFileSync(bundle.manifestPath, 'utf8');
      for (const change of [
        (s: string) => s.replace(/<size>(\d+)<\/size>/, (_m, v: string) => `<size>${Number(v) + 512}</size>`),
        // A different first hex digit of part 1's digest (the digests are random: never the same one).
        (s: string) =>
          s.replace(
            /(<part index="1"><filename>[^<]+<\/filename><digest algorithm="SHA1">)([0-9a-f])/,
            (_m, head: string, digit: string) => `${head}${digit === 'f' ? '0' : 'f'}`,
          ),
        (s: string) => s.replace('<architecture>x86_64', '<architecture>i386'),
      ]) {
        const b = copy();
        const changed = change(xml);
        assert.notEqual(changed, xml);
        writeFileSync(b.manifestPath, changed);
        await refused(b.manifestPath, /does not match its signature: it was changed after signing/);
      }
    });

    it('a manifest of unknown structure, naming what is wrong', async () => {
      const xml = readFileSync(bundle.manifestPath, 'utf8');
      const cases: Array<[string, RegExp]> = [
        [xml.replace('<size>', '<extra>1</extra><size>'), /manifest\/image holds an unknown element <extra>/],
        [
          xml.replace('<manifest>', '<!DOCTYPE x [<!ENTITY e "e">]><manifest>'),
          /expected the <manifest> element/,
        ],
        [xml.replace('<parts count="', '<parts bogus="1" count="'), /unknown attribute "bogus"/],
        [xml.replace(/<signature>[0-9a-f]+</, '<signature>UNSIGNED<'), /is UNSIGNED/],
        [
          xml.replace(/<filename>disk\.img\.part\.0</, '<filename>../../etc/passwd<'),
          /not a plain file name/,
        ],
        [xml.replace('</manifest>', ''), /is not closed/],
      ];
      for (const [text, message] of cases) {
        const b = copy();
        writeFileSync(b.manifestPath, text);
        await refused(b.manifestPath, message);
      }
    });

    it('an image digest that differs from the signed one', async () => {
      const b = independentBundle(join(dir, 'bad-digest'), imagePath, 'disk.img', certPem, keyPem, {
        tarFormat: 'ustar',
        order: 'amazon',
        partSize: 1024 * 1024,
        digest: '0'.repeat(40),
      });
      await refused(b.manifestPath, /the image digest is [0-9a-f]{40}, the manifest lists 0{40}/);
    });

    it('an abort part-way (Ctrl-C) leaves no file', async () => {
      const controller = new AbortController();
      const local = localBundleSource(bundle.manifestPath);
      let reads = 0;
      const source: BundleSource = {
        ...local,
        readPart: async (name) => {
          if (++reads === 2) controller.abort();
          return local.readPart(name);
        },
      };
      const target = out();
      mkdirSync(join(target, '..'));
      await assert.rejects(
        unbundle({ source, privateKeyPem: keyPem, outPath: target, signal: controller.signal }),
        { name: 'AbortError' },
      );
      assert.deepEqual(readdirSync(join(target, '..')), []);
    });

    it('exits 2 for a missing option, an unreadable key or a missing manifest', async () => {
      const noKey = await runCli(['unbundle', bundle.manifestPath, '--out', out()]);
      assert.equal(noKey.status, 2);
      assert.match(noKey.stderr, /--key/);
      const target = out();
      const badKey = await unbundleCli(bundle.manifestPath, target, join(dir, 'no-such-key.pem'));
      assert.equal(badKey.status, 2);
      assert.match(badKey.stderr, /--key .*no-such-key\.pem: ENOENT/);
      const notKey = await unbundleCli(bundle.manifestPath, target, bundle.manifestPath);
      assert.equal(notKey.status, 2);
      assert.match(notKey.stderr, /--key is not a PEM RSA private key/);
      const noManifest = await unbundleCli(join(dir, 'none.manifest.xml'), target);
      assert.equal(noManifest.status, 2);
      assert.match(noManifest.stderr, /cannot read the manifest/);
      assert.equal(existsSync(target), false);
    });
  });
});

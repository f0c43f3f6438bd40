/**
 * `<prefix>.manifest.xml` of an instance-store bundle, version 2007-10-10, element for element in the
 * order ec2-bundle-image and euca2ools write (aws.md section 3): EC2 reads the elements by position in
 * places (`type` must follow `user`), and leaving out the user_* key elements gives 400 InvalidManifest.
 *
 * The signature is RSA PKCS#1 v1.5 with SHA-1 over the serialized <machine_configuration> followed by
 * <image>, exactly the bytes written to the file, so the XML is built as text here rather than through a
 * serializer whose whitespace could differ between what was signed and what was written.
 */
import { sign, type KeyObject } from 'node:crypto';

export interface BlockDeviceMapping {
  /** `ami`, `root`, `ephemeral0`, `swap`... */
  readonly virtual: string;
  readonly device: string;
}

/** What ec2-bundle-image and euca2ools map when the user gives nothing (a PV instance-store AMI). */
export const DEFAULT_BLOCK_DEVICE_MAPPING: readonly BlockDeviceMapping[] = [
  { virtual: 'ami', device: 'sda1' },
  { virtual: 'root', device: '/dev/sda1' },
  { virtual: 'ephemeral0', device: 'sda2' },
  { virtual: 'swap', device: 'sda3' },
];

export interface ManifestPart {
  readonly index: number;
  readonly filename: string;
  readonly sha1: string;
}

export interface BundleManifest {
  readonly bundler: { readonly name: string; readonly version: string; readonly release: string };
  readonly architecture: 'i386' | 'x86_64' | 'arm64';
  readonly blockDeviceMapping: readonly BlockDeviceMapping[];
  readonly kernelId?: string | undefined;
  readonly ramdiskId?: string | undefined;
  /** Image name (the bundle prefix). */
  readonly name: string;
  /** AWS account id, digits only. */
  readonly user: string;
  /** Hex SHA-1 of the tar stream. */
  readonly digest: string;
  /** Raw image size in bytes. */
  readonly size: number;
  /** Sum of the part sizes. */
  readonly bundledSize: number;
  /** Hex RSA ciphertexts of the ASCII-hex key and IV. */
  readonly ec2EncryptedKey: string;
  readonly userEncryptedKey: string;
  readonly ec2EncryptedIv: string;
  readonly userEncryptedIv: string;
  readonly parts: readonly ManifestPart[];
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function el(name: string, content: string, attrs: Record<string, string> = {}): string {
  const a = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('');
  return `<${name}${a}>${content}</${name}>`;
}

const text = (name: string, value: string | number, attrs?: Record<string, string>): string =>
  el(name, escapeXml(String(value)), attrs);

export function machineConfigurationXml(m: BundleManifest): string {
  const mappings = m.blockDeviceMapping
    .map((b) => el('mapping', text('virtual', b.virtual) + text('device', b.device)))
    .join('');
  return el(
    'machine_configuration',
    text('architecture', m.architecture) +
      el('block_device_mapping', mappings) +
      (m.kernelId ? text('kernel_id', m.kernelId) : '') +
      (m.ramdiskId ? text('ramdisk_id', m.ramdiskId) : ''),
  );
}

export function imageXml(m: BundleManifest): string {
  const parts = m.parts
    .map((p) =>
      el('part', text('filename', p.filename) + text('digest', p.sha1, { algorithm: 'SHA1' }), {
        index: String(p.index),
      }),
    )
    .join('');
  return el(
    'image',
    text('name', m.name) +
      text('user', m.user) +
      text('type', 'machine') +
      text('digest', m.digest, { algorithm: 'SHA1' }) +
      text('size', m.size) +
      text('bundled_size', m.bundledSize) +
      text('ec2_encrypted_key', m.ec2EncryptedKey, { algorithm: 'AES-128-CBC' }) +
      text('user_encrypted_key', m.userEncryptedKey, { algorithm: 'AES-128-CBC' }) +
      text('ec2_encrypted_iv', m.ec2EncryptedIv) +
      text('user_encrypted_iv', m.userEncryptedIv) +
      el('parts', parts, { count: String(m.parts.length) }),
  );
}

/** The signed document: the hex signature covers machine_configuration + image as written. */
export function renderManifest(m: BundleManifest, userPrivateKey: KeyObject): string {
  const signed = machineConfigurationXml(m) + imageXml(m);
  const signature = sign('sha1', Buffer.from(signed, 'utf8'), userPrivateKey).toString('hex');
  const bundler = el(
    'bundler',
    text('name', m.bundler.name) + text('version', m.bundler.version) + text('release', m.bundler.release),
  );
  return (
    '<?xml version="1.0" ?>\n' +
    el('manifest', text('version', '2007-10-10') + bundler + signed + text('signature', signature)) +
    '\n'
  );
}

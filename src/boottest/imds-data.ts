/**
 * The metadata tree a boot test's guest sees at 169.254.169.254: the keys cloud-init's EC2 datasource
 * crawls (it walks every listing, so each directory needs one, or it retries for minutes) plus what
 * EC2 init scripts read. Values describe one fake instance; the SSH key and user-data are per run.
 */
import { GUEST_NET } from './qemu-argv.js';

export interface InstanceIdentity {
  readonly instanceId: string;
  readonly imageId: string;
  readonly instanceType: string;
  readonly region: string;
  readonly availabilityZone: string;
  /** The guest NIC's MAC address; QEMU is given the same so cloud-init matches its network config. */
  readonly mac: string;
  /** The address QEMU's DHCP hands out first (dhcpstart). */
  readonly localIpv4: string;
  readonly architecture: 'x86_64' | 'arm64';
  readonly publicKey: string;
  /** Bytes as the guest gets them: a Buffer for binary user-data (gzip), a string for text. */
  readonly userData?: string | Buffer;
}

/**
 * The one fake instance every boot test and `bootstrap run` guest is: fixed ids in us-east-1, the MAC
 * QEMU gives the NIC, the address QEMU's DHCP hands out first, and this run's key and user-data.
 */
export function fakeInstance(
  arch: 'amd64' | 'arm64',
  publicKey: string,
  userData?: string | Buffer,
): InstanceIdentity {
  return {
    instanceId: 'i-0b00715e57000000a',
    imageId: 'ami-0b00715e57000000a',
    // A Graviton type for arm64, as EC2 would report.
    instanceType: arch === 'arm64' ? 't4g.micro' : 't3.micro',
    region: 'us-east-1',
    availabilityZone: 'us-east-1a',
    mac: '52:54:00:b0:07:01',
    localIpv4: GUEST_NET.dhcpStart,
    architecture: arch === 'arm64' ? 'arm64' : 'x86_64',
    publicKey,
    ...(userData !== undefined ? { userData } : {}),
  };
}

/** A directory maps names to subtrees; a string or Buffer is a leaf's content. */
export type MetadataTree = { readonly [name: string]: MetadataTree | string | Buffer };

function isLeaf(node: MetadataTree | string | Buffer): node is string | Buffer {
  return typeof node === 'string' || Buffer.isBuffer(node);
}

/** EC2's API versions; cloud-init probes dated ones (e.g. 2021-03-23) before `latest`. */
export const API_VERSIONS = ['1.0', '2009-04-04', '2016-09-02', '2018-09-24', '2021-03-23', 'latest'];

export function hostnameFor(ip: string): string {
  return `ip-${ip.replaceAll('.', '-')}.ec2.internal`;
}

export function identityDocument(id: InstanceIdentity, now: Date): Record<string, unknown> {
  return {
    accountId: '123456789012',
    architecture: id.architecture,
    availabilityZone: id.availabilityZone,
    billingProducts: null,
    devpayProductCodes: null,
    marketplaceProductCodes: null,
    imageId: id.imageId,
    instanceId: id.instanceId,
    instanceType: id.instanceType,
    kernelId: null,
    pendingTime: now.toISOString().replace(/\.\d+Z$/, 'Z'),
    privateIp: id.localIpv4,
    ramdiskId: null,
    region: id.region,
    version: '2017-09-30',
  };
}

export function metadataTree(id: InstanceIdentity, now: Date = new Date()): MetadataTree {
  const hostname = hostnameFor(id.localIpv4);
  const subnet = '169.254.0.0/16';
  const mac: MetadataTree = {
    'device-number': '0',
    'interface-id': 'eni-0b00750000000000',
    'local-hostname': hostname,
    'local-ipv4s': id.localIpv4,
    mac: id.mac,
    'owner-id': '123456789012',
    'security-group-ids': 'sg-0b00750000000000',
    'security-groups': 'boot-test',
    'subnet-id': 'subnet-0b00750000000000',
    'subnet-ipv4-cidr-block': subnet,
    'vpc-id': 'vpc-0b00750000000000',
    'vpc-ipv4-cidr-block': subnet,
    'vpc-ipv4-cidr-blocks': subnet,
  };
  const metaData: MetadataTree = {
    'ami-id': id.imageId,
    'ami-launch-index': '0',
    'ami-manifest-path': '(unknown)',
    'block-device-mapping': { ami: '/dev/xvda', root: '/dev/xvda' },
    hostname,
    'instance-action': 'none',
    'instance-id': id.instanceId,
    'instance-life-cycle': 'on-demand',
    'instance-type': id.instanceType,
    'local-hostname': hostname,
    'local-ipv4': id.localIpv4,
    mac: id.mac,
    network: { interfaces: { macs: { [id.mac]: mac } } },
    placement: {
      'availability-zone': id.availabilityZone,
      'availability-zone-id': `${id.region.slice(0, 3)}1-az1`,
      region: id.region,
    },
    profile: 'default-hvm',
    // The listing says `0=boot-test`; cloud-init then fetches public-keys/0/openssh-key.
    'public-keys': { '0': { 'openssh-key': id.publicKey.trim() + '\n' } },
    'reservation-id': 'r-0b00750000000000',
    'security-groups': 'boot-test',
    services: { domain: 'amazonaws.com', partition: 'aws' },
  };
  const tree: Record<string, MetadataTree | string | Buffer> = {
    'meta-data': metaData,
    dynamic: { 'instance-identity': { document: JSON.stringify(identityDocument(id, now), null, 2) } },
  };
  if (id.userData !== undefined) tree['user-data'] = id.userData;
  return tree;
}

/** What a GET of `parts` (below the version) returns: a leaf, a listing, or nothing (404). */
export type Lookup =
  { kind: 'leaf'; body: string | Buffer } | { kind: 'listing'; body: string } | { kind: 'missing' };

export function lookup(tree: MetadataTree, parts: readonly string[]): Lookup {
  let node: MetadataTree | string | Buffer = tree;
  for (const part of parts) {
    if (isLeaf(node)) return { kind: 'missing' };
    const next: MetadataTree | string | Buffer | undefined = node[part];
    if (next === undefined) return { kind: 'missing' };
    node = next;
  }
  if (isLeaf(node)) return { kind: 'leaf', body: node };
  return { kind: 'listing', body: listing(node, parts) };
}

function listing(dir: MetadataTree, parts: readonly string[]): string {
  const inPublicKeys = parts.length === 2 && parts[0] === 'meta-data' && parts[1] === 'public-keys';
  return Object.entries(dir)
    .map(([name, child]) => {
      if (inPublicKeys) return `${name}=boot-test`;
      return isLeaf(child) ? name : `${name}/`;
    })
    .join('\n');
}

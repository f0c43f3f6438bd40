import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { metadataTree, type InstanceIdentity } from '../../../src/boottest/imds-data.js';
import { parseTtl, startImdsServer, type ImdsServer } from '../../../src/boottest/imds-server.js';

const identity: InstanceIdentity = {
  instanceId: 'i-0123',
  imageId: 'ami-0123',
  instanceType: 't3.micro',
  region: 'eu-west-1',
  availabilityZone: 'eu-west-1b',
  mac: '52:54:00:00:00:01',
  localIpv4: '169.254.0.15',
  architecture: 'x86_64',
  publicKey: 'ssh-ed25519 AAAAC3Nza boot-test',
  userData: '#!/bin/sh\necho hi\n',
};

async function get(s: ImdsServer, path: string, headers: Record<string, string> = {}) {
  const r = await fetch(s.url + path, { headers });
  return { status: r.status, body: await r.text(), type: r.headers.get('content-type') };
}

async function token(s: ImdsServer, ttl = '60'): Promise<string> {
  const r = await fetch(s.url + '/latest/api/token', {
    method: 'PUT',
    headers: { 'X-aws-ec2-metadata-token-ttl-seconds': ttl },
  });
  assert.equal(r.status, 200);
  return r.text();
}

describe('IMDS server, IMDSv1 allowed', () => {
  let s: ImdsServer;
  before(async () => {
    s = await startImdsServer({ tree: metadataTree(identity, new Date('2026-01-02T03:04:05Z')) });
  });
  after(() => s.close());

  it('listens on loopback only', () => {
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(s.port > 0);
  });

  it('serves the root, version and meta-data listings cloud-init crawls', async () => {
    assert.ok((await get(s, '/')).body.split('\n').includes('latest'));
    assert.deepEqual((await get(s, '/latest/')).body.split('\n'), ['meta-data/', 'dynamic/', 'user-data']);
    const md = (await get(s, '/latest/meta-data/')).body.split('\n');
    for (const key of [
      'ami-id',
      'instance-id',
      'instance-type',
      'local-hostname',
      'hostname',
      'local-ipv4',
      'mac',
    ]) {
      assert.ok(md.includes(key), key);
    }
    for (const dir of ['placement/', 'public-keys/', 'network/', 'services/', 'block-device-mapping/']) {
      assert.ok(md.includes(dir), dir);
    }
    // Dated API versions answer like latest (cloud-init asks 2021-03-23 first).
    assert.equal((await get(s, '/2021-03-23/meta-data/instance-id')).body, 'i-0123');
    assert.equal((await get(s, '/1999-01-01/meta-data/instance-id')).status, 404);
  });

  it('serves keys, placement, network and the identity document', async () => {
    assert.equal((await get(s, '/latest/meta-data/public-keys/')).body, '0=boot-test');
    assert.equal((await get(s, '/latest/meta-data/public-keys/0/')).body, 'openssh-key');
    assert.equal(
      (await get(s, '/latest/meta-data/public-keys/0/openssh-key')).body,
      'ssh-ed25519 AAAAC3Nza boot-test\n',
    );
    assert.equal((await get(s, '/latest/meta-data/placement/region')).body, 'eu-west-1');
    assert.equal((await get(s, '/latest/meta-data/placement/availability-zone')).body, 'eu-west-1b');
    assert.equal((await get(s, '/latest/meta-data/network/interfaces/macs/')).body, '52:54:00:00:00:01/');
    assert.equal(
      (await get(s, '/latest/meta-data/network/interfaces/macs/52:54:00:00:00:01/local-ipv4s')).body,
      '169.254.0.15',
    );
    assert.equal((await get(s, '/latest/meta-data/local-hostname')).body, 'ip-169-254-0-15.ec2.internal');
    assert.equal((await get(s, '/latest/dynamic/instance-identity/')).body, 'document');
    const doc = await get(s, '/latest/dynamic/instance-identity/document');
    assert.equal(doc.type, 'application/json');
    const parsed = JSON.parse(doc.body) as Record<string, unknown>;
    assert.equal(parsed['instanceId'], 'i-0123');
    assert.equal(parsed['region'], 'eu-west-1');
    assert.equal(parsed['pendingTime'], '2026-01-02T03:04:05Z');
    assert.equal((await get(s, '/latest/user-data')).body, '#!/bin/sh\necho hi\n');
    assert.equal((await get(s, '/latest/meta-data/nope')).status, 404);
  });

  it('accepts IMDSv1, and a valid token, but rejects an unknown token with 401', async () => {
    assert.equal((await get(s, '/latest/meta-data/instance-id')).status, 200);
    const t = await token(s);
    assert.equal(
      (await get(s, '/latest/meta-data/instance-id', { 'X-aws-ec2-metadata-token': t })).status,
      200,
    );
    assert.equal(
      (await get(s, '/latest/meta-data/instance-id', { 'X-aws-ec2-metadata-token': 'forged' })).status,
      401,
    );
  });

  it('validates the token TTL: 1..21600, else 400', async () => {
    for (const bad of ['0', '21601', '-5', 'abc', '1.5', '']) {
      const r = await fetch(s.url + '/latest/api/token', {
        method: 'PUT',
        headers: { 'X-aws-ec2-metadata-token-ttl-seconds': bad },
      });
      assert.equal(r.status, 400, `ttl ${JSON.stringify(bad)}`);
    }
    const none = await fetch(s.url + '/latest/api/token', { method: 'PUT' });
    assert.equal(none.status, 400);
    assert.ok((await token(s, '21600')).length > 20);
    assert.ok((await token(s, '1')).length > 20);
    assert.equal(parseTtl(['1', '2']), undefined);
  });

  it('logs every request with method, path, status and whether a token was sent', async () => {
    const before = s.requests.length;
    await get(s, '/latest/meta-data/ami-id', { 'X-aws-ec2-metadata-token': 'forged' });
    await get(s, '/latest/meta-data/ami-id');
    const [a, b] = s.requests.slice(before);
    assert.deepEqual(
      { ...a, at: 0 },
      { at: 0, method: 'GET', path: '/latest/meta-data/ami-id', status: 401, token: true },
    );
    assert.deepEqual(
      { ...b, at: 0 },
      { at: 0, method: 'GET', path: '/latest/meta-data/ami-id', status: 200, token: false },
    );
    assert.ok(typeof a?.at === 'number' && a.at >= 0);
  });
});

describe('IMDS server, IMDSv2 required', () => {
  let now = 1_000_000;
  let s: ImdsServer;
  before(async () => {
    s = await startImdsServer({ tree: metadataTree(identity), requireV2: true, now: () => now });
  });
  after(() => s.close());

  it('answers 401 without a token and 200 with a live one', async () => {
    assert.equal((await get(s, '/latest/meta-data/instance-id')).status, 401);
    assert.equal((await get(s, '/')).status, 401);
    const t = await token(s, '10');
    const ok = await get(s, '/latest/meta-data/instance-id', { 'X-aws-ec2-metadata-token': t });
    assert.deepEqual([ok.status, ok.body], [200, 'i-0123']);
  });

  it('expires tokens after their TTL', async () => {
    const t = await token(s, '10');
    now += 9_000;
    assert.equal((await get(s, '/latest/user-data', { 'X-aws-ec2-metadata-token': t })).status, 200);
    now += 2_000;
    assert.equal((await get(s, '/latest/user-data', { 'X-aws-ec2-metadata-token': t })).status, 401);
  });

  it('refuses PUT outside the token path and other methods', async () => {
    assert.equal((await fetch(s.url + '/latest/meta-data/', { method: 'PUT' })).status, 403);
    assert.equal((await fetch(s.url + '/latest/meta-data/', { method: 'POST' })).status, 405);
  });
});

/**
 * The IMDS client against the project's local metadata service (src/boottest/imds-server.ts) on
 * loopback: the IMDSv2 token flow, v1 fallback only when allowed, the endpoint variable, and retries
 * of throttled and failing requests with a stand-in fetch.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BuildError } from '../../../../src/api/index.js';
import { startImdsServer, type ImdsServer } from '../../../../src/boottest/imds-server.js';
import { ImdsClient, imdsEndpoint } from '../../../../plugins/ec2/ebs-host/imds-client.js';

const tree = {
  'meta-data': {
    'instance-id': 'i-0123456789abcdef0',
    placement: { region: 'eu-west-3', 'availability-zone': 'eu-west-3b' },
  },
};

describe('ImdsClient', () => {
  let v2: ImdsServer;
  let v1only: ImdsServer;
  before(async () => {
    v2 = await startImdsServer({ tree, requireV2: true });
    v1only = await startImdsServer({ tree, requireV2: false });
  });
  after(async () => {
    await v2.close();
    await v1only.close();
  });

  it('reads instance id, region and zone with a session token (IMDSv2)', async () => {
    const id = await new ImdsClient({ endpoint: v2.url }).identity();
    assert.deepEqual(id, {
      instanceId: 'i-0123456789abcdef0',
      region: 'eu-west-3',
      availabilityZone: 'eu-west-3b',
    });
    const calls = v2.requests.slice(-4);
    assert.deepEqual(
      calls.map((r) => [r.method, r.path, r.status, r.token]),
      [
        ['PUT', '/latest/api/token', 200, false],
        ['GET', '/latest/meta-data/instance-id', 200, true],
        ['GET', '/latest/meta-data/placement/availability-zone', 200, true],
        ['GET', '/latest/meta-data/placement/region', 200, true],
      ],
    );
  });

  it('honours AWS_EC2_METADATA_SERVICE_ENDPOINT and strips a trailing slash', () => {
    assert.equal(
      imdsEndpoint({ AWS_EC2_METADATA_SERVICE_ENDPOINT: 'http://[fd00:ec2::254]/' }),
      'http://[fd00:ec2::254]',
    );
    assert.equal(imdsEndpoint({}), 'http://169.254.169.254');
  });

  it('refuses to fall back to IMDSv1 unless allowed', async () => {
    const refusing: typeof fetch = async (input, init) =>
      init?.method === 'PUT' ? new Response('', { status: 403 }) : fetch(input, init);
    await assert.rejects(
      new ImdsClient({ endpoint: v1only.url, fetch: refusing }).identity(),
      (err: unknown) => err instanceof BuildError && /refused an IMDSv2 token \(HTTP 403\)/.test(err.message),
    );
    const id = await new ImdsClient({ endpoint: v1only.url, fetch: refusing, allowV1: true }).identity();
    assert.equal(id.instanceId, 'i-0123456789abcdef0');
    assert.equal(v1only.requests.at(-1)?.token, false);
  });

  it('retries 503 and 429 answers, then succeeds', async () => {
    let failures = 2;
    const flaky: typeof fetch = async (input, init) => {
      if (failures-- > 0) return new Response('', { status: failures === 1 ? 503 : 429 });
      return fetch(input, init);
    };
    const client = new ImdsClient({ endpoint: v2.url, fetch: flaky, backoffMs: () => 1 });
    assert.equal(await client.get('meta-data/instance-id'), 'i-0123456789abcdef0');
  });

  it('gives up after the attempts with a clear message when nothing answers', async () => {
    let calls = 0;
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => {
        calls++;
        init?.signal?.addEventListener('abort', () => reject(new Error('aborted')));
      });
    const client = new ImdsClient({
      endpoint: 'http://192.0.2.1',
      fetch: hanging,
      timeoutMs: 20,
      attempts: 3,
      backoffMs: () => 1,
    });
    await assert.rejects(
      client.identity(),
      /did not answer PUT \/latest\/api\/token after 3 attempts: timed out/,
    );
    assert.equal(calls, 3);
  });

  it('takes a new token once when the old one is refused (expired)', async () => {
    let now = 0;
    const server = await startImdsServer({ tree, requireV2: true, now: () => now });
    try {
      const client = new ImdsClient({ endpoint: server.url });
      await client.get('meta-data/instance-id');
      now += 400_000; // past the 300 s TTL the client asks for
      assert.equal(await client.get('meta-data/instance-id'), 'i-0123456789abcdef0');
      assert.deepEqual(
        server.requests.map((r) => [r.method, r.status]),
        [
          ['PUT', 200],
          ['GET', 200],
          ['GET', 401],
          ['PUT', 200],
          ['GET', 200],
        ],
      );
    } finally {
      await server.close();
    }
  });
});

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { connectToAws } from '../../../../plugins/ec2/aws/connect.js';
import { AWS_ACCOUNT_ID } from '../../../../plugins/ec2/aws/state.js';
import { baseManifestData, testContext, testManifest } from '../../../helpers/fake-context.js';

/** A local STS answering every request with a fixed status and XML body. */
async function fakeSts(status: number, body: string) {
  let listener = (): void => undefined;
  const server = createServer((req, res) => {
    listener();
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'text/xml' });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  return {
    url: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
    onRequest: (f: () => void) => void (listener = f),
  };
}

function ctxFor(provider: Record<string, unknown>) {
  return testContext({
    taskId: 'ec2/connect',
    manifest: testManifest({
      ...baseManifestData,
      provider: { name: 'ec2', virtualization: 'hvm', description: 'd', region: 'eu-west-1', ...provider },
    }),
  });
}

const IDENTITY = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>
<Arn>arn:aws:iam::210987654321:user/builder</Arn><UserId>AIDA</UserId><Account>210987654321</Account>
</GetCallerIdentityResult></GetCallerIdentityResponse>`;

const REFUSED = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>
<Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message>
</Error><RequestId>1</RequestId></ErrorResponse>`;

test('connect checks the credentials with STS and records the account; the secret is never logged', async () => {
  const sts = await fakeSts(200, IDENTITY);
  const ctx = ctxFor({
    endpoints: { sts: sts.url },
    credentials: { 'access-key': 'AKIAUNITTEST00000001', 'secret-key': 'unit-secret-never-in-logs' },
  });
  try {
    await connectToAws(ctx);
    assert.equal(ctx.state.get(AWS_ACCOUNT_ID), '210987654321');
    assert.match(
      ctx.logs.join('\n'),
      /account 210987654321 .* credentials from provider.credentials in the manifest/,
    );
    assert.doesNotMatch(ctx.logs.join('\n') + JSON.stringify(ctx.cloudCalls), /unit-secret-never-in-logs/);
    assert.deepEqual(
      ctx.cloudCalls.map((c) => c.operation),
      ['GetCallerIdentity'],
    );
  } finally {
    ctx.closeClients();
    await sts.close();
  }
});

test('refused credentials fail with a BuildError naming their source, not an SDK stack', async () => {
  const sts = await fakeSts(403, REFUSED);
  const ctx = ctxFor({
    endpoints: { sts: sts.url },
    credentials: { 'access-key': 'AKIAUNITTEST00000001', 'secret-key': 'unit-secret-never-in-logs' },
  });
  try {
    await assert.rejects(connectToAws(ctx), (e: Error) => {
      assert.equal(e.name, 'BuildError');
      assert.match(e.message, /AWS refused the credentials from provider.credentials in the manifest/);
      assert.match(e.message, /InvalidClientTokenId/);
      return true;
    });
  } finally {
    ctx.closeClients();
    await sts.close();
  }
});

test('no credentials anywhere: a clear BuildError with what to set', async () => {
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
  Object.assign(process.env, {
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
  });
  const sts = await fakeSts(200, IDENTITY);
  const ctx = ctxFor({ endpoints: { sts: sts.url } });
  try {
    await assert.rejects(connectToAws(ctx), { name: 'BuildError', message: 'no AWS credentials found' });
  } finally {
    process.env = saved;
    ctx.closeClients();
    await sts.close();
  }
});

test('a dry run makes no call and records the one it would make', async () => {
  // An STS that fails the test if anything reaches it.
  const sts = await fakeSts(500, 'a dry run must not call AWS');
  let reached = false;
  const ctx = testContext({
    dryRun: true,
    manifest: testManifest({
      ...baseManifestData,
      provider: {
        name: 'ec2',
        virtualization: 'hvm',
        description: 'd',
        region: 'eu-west-1',
        endpoints: { sts: sts.url },
        credentials: { 'access-key': 'AKIAUNITTEST00000001', 'secret-key': 'unit-secret-never-in-logs' },
      },
    }),
  });
  sts.onRequest(() => (reached = true));
  try {
    await connectToAws(ctx);
    assert.equal(reached, false, 'no request left the process');
    assert.deepEqual(ctx.cloudCalls, [
      { service: 'sts', region: 'eu-west-1', operation: 'GetCallerIdentity', params: {} },
    ]);
    assert.match(ctx.logs.join('\n'), /AWS account <account> .* credentials from nowhere \(dry run\)/);
  } finally {
    ctx.closeClients();
    await sts.close();
  }
});

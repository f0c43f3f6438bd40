import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { PutSnapshotBlockCommand } from '@aws-sdk/client-ebs';
import { DescribeImagesCommand, RegisterImageCommand } from '@aws-sdk/client-ec2';
import type { CloudCall } from '../../../../src/api/index.js';
import { createAwsClients } from '../../../../plugins/ec2/aws/clients.js';
import { summarizeInput } from '../../../../plugins/ec2/aws/call-recorder.js';
import { tempDir } from '../../../helpers/fake-context.js';

test('summarizeInput drops block data, bodies, checksums and secrets', () => {
  assert.deepEqual(
    summarizeInput({
      SnapshotId: 'snap-1',
      BlockIndex: 3,
      BlockData: new Uint8Array(4),
      Checksum: 'abc',
      SecretAccessKey: 'x',
      Body: 'data',
      When: new Date('2026-01-02T03:04:05Z'),
    }),
    { SnapshotId: 'snap-1', BlockIndex: 3, When: '2026-01-02T03:04:05.000Z' },
  );
});

/** A local HTTP server answering every request with one canned body; counts requests. */
async function cannedServer(status: number, body: string, contentType: string) {
  let requests = 0;
  const server = createServer((req, res) => {
    requests += 1;
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': contentType });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

test('every call is recorded (bulk block calls summed, errors named) and traced before signing', async () => {
  const dir = await tempDir();
  const ec2Answer = await cannedServer(
    200,
    '<RegisterImageResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><imageId>ami-1</imageId></RegisterImageResponse>',
    'text/xml',
  );
  const ebsAnswer = await cannedServer(400, JSON.stringify({ message: 'bad block' }), 'application/json');
  const trace = join(dir.path, 'trace.jsonl');
  const calls: CloudCall[] = [];
  const clients = await createAwsClients({
    runId: 'abcd1234',
    region: 'eu-west-1',
    accessKey: 'AKIATESTTESTTEST0001',
    secretKey: 'very-secret-value-never-logged',
    endpoints: { ec2: ec2Answer.endpoint, ebs: ebsAnswer.endpoint },
    env: { BOOTSTRAP_AWS_TRACE: trace },
    maxAttempts: 1,
  });
  try {
    clients.useSink({ record: (c) => calls.push(c), log: () => {} });
    await clients.ec2.send(new RegisterImageCommand({ Name: 'debian-x', Architecture: 'x86_64' }));
    for (let i = 0; i < 3; i++) {
      await assert.rejects(
        clients.ebs.send(
          new PutSnapshotBlockCommand({
            SnapshotId: 'snap-1',
            BlockIndex: i,
            BlockData: new Uint8Array(512),
            DataLength: 512,
            Checksum: 'x',
            ChecksumAlgorithm: 'SHA256',
          }),
        ),
      );
    }
    // DescribeImages gets the canned RegisterImage answer: parsed as empty, still recorded.
    await clients.ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-1'] }));
    assert.deepEqual(
      calls.map((c) => [c.service, c.operation, c.count ?? 1]),
      [
        ['ec2', 'RegisterImage', 1],
        ['ebs', 'PutSnapshotBlock', 3],
        ['ec2', 'DescribeImages', 1],
      ],
    );
    assert.deepEqual(calls[0]?.params, { Name: 'debian-x', Architecture: 'x86_64' });
    assert.equal((calls[1] as { errors?: number }).errors, 3);
    const lines = (await readFile(trace, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { body?: string; operation: string });
    assert.equal(lines.length, 5);
    const register = lines[0] ?? { operation: '', body: '' };
    assert.equal(register.operation, 'RegisterImage');
    const form = new URLSearchParams(register.body);
    assert.equal(form.get('Action'), 'RegisterImage');
    assert.equal(form.get('Name'), 'debian-x');
    assert.equal(form.get('Architecture'), 'x86_64');
    const text = JSON.stringify(lines);
    assert.doesNotMatch(text, /very-secret-value|authorization|AKIATESTTESTTEST0001/i);
    assert.equal(lines[1]?.body, '<binary>');
  } finally {
    clients.destroy();
    await ec2Answer.close();
    await ebsAnswer.close();
    await dir.cleanup();
  }
});

test('no region anywhere is a clear error, not an SDK stack', async () => {
  const saved = { ...process.env };
  for (const k of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE']) delete process.env[k];
  process.env.AWS_CONFIG_FILE = '/nonexistent/config';
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';
  try {
    await assert.rejects(createAwsClients({ runId: 'abcd1234' }), {
      name: 'BuildError',
      message: /no AWS region: set provider.region/,
    });
  } finally {
    process.env = saved;
  }
});

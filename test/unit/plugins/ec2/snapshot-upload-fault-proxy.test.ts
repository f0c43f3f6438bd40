/**
 * The fault proxy answers in shapes the real SDK clients parse: EBS (REST-JSON) 429 ThrottlingException,
 * EC2 (query/XML) RequestLimitExceeded, fixed errors, drops; and forwards everything else untouched.
 * The target is a stub HTTP server, so this runs without moto.
 */
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { EBSClient, StartSnapshotCommand } from '@aws-sdk/client-ebs';
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { startFaultProxy, type FaultProxy } from '../../../helpers/fault-proxy.js';

let target: Server;
let proxy: FaultProxy;
const seen: string[] = [];

before(async () => {
  target = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.url === '/snapshots') {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ SnapshotId: 'snap-0123', BlockSize: 524288, Status: 'pending', VolumeSize: 1 }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end('<DescribeImagesResponse><requestId>r</requestId><imagesSet/></DescribeImagesResponse>');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
  const address = target.address();
  proxy = await startFaultProxy(
    `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
  );
});

after(async () => {
  await proxy.close();
  await new Promise((r) => target.close(r));
});

const clientConfig = () => ({
  endpoint: proxy.endpoint,
  region: 'us-east-1',
  maxAttempts: 1,
  credentials: { accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake' },
});

test('EBS throttling is a 429 ThrottlingException to the SDK; a rule with times stops after that many', async () => {
  const ebs = new EBSClient(clientConfig());
  proxy.setRules([{ service: 'ebs', operation: 'StartSnapshot', fault: 'throttle', times: 1 }]);
  await assert.rejects(
    ebs.send(new StartSnapshotCommand({ VolumeSize: 1 })),
    (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(err.name, 'ThrottlingException');
      assert.equal(err.$metadata?.httpStatusCode, 429);
      return true;
    },
  );
  const ok = await ebs.send(new StartSnapshotCommand({ VolumeSize: 1 }));
  assert.equal(ok.SnapshotId, 'snap-0123');
  assert.equal(proxy.count('StartSnapshot', 'throttle'), 1);
  assert.equal(proxy.count('StartSnapshot', 'forwarded'), 1);
});

test('EC2 throttling is RequestLimitExceeded; a fixed 400 carries its code; operations come from Action=', async () => {
  const ec2 = new EC2Client(clientConfig());
  proxy.setRules([{ service: 'ec2', operation: 'DescribeImages', fault: 'throttle', times: 1 }]);
  await assert.rejects(ec2.send(new DescribeImagesCommand({})), { name: 'RequestLimitExceeded' });
  proxy.setRules([{ operation: 'DescribeImages', fault: { status: 400, code: 'InvalidAMIName.Duplicate' } }]);
  await assert.rejects(
    ec2.send(new DescribeImagesCommand({})),
    (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(err.name, 'InvalidAMIName.Duplicate');
      assert.equal(err.$metadata?.httpStatusCode, 400);
      return true;
    },
  );
  proxy.setRules([]);
  const ok = await ec2.send(new DescribeImagesCommand({}));
  assert.deepEqual(ok.Images, []);
  assert.equal(proxy.counts.error, 1);
});

test('a dropped connection is a network error; a 500 is InternalServerException; rate 0 never fires', async () => {
  const ebs = new EBSClient(clientConfig());
  proxy.setRules([{ operation: 'StartSnapshot', fault: 'drop', times: 1 }]);
  await assert.rejects(
    ebs.send(new StartSnapshotCommand({ VolumeSize: 1 })),
    (err: Error & { code?: string }) => {
      assert.ok(
        /ECONNRESET|socket hang up/.test(`${err.code} ${err.message}`),
        `${err.name}: ${err.message}`,
      );
      return true;
    },
  );
  proxy.setRules([{ operation: 'StartSnapshot', fault: 'server-error', times: 1 }]);
  await assert.rejects(ebs.send(new StartSnapshotCommand({ VolumeSize: 1 })), {
    name: 'InternalServerException',
  });
  proxy.setRules([{ operation: 'StartSnapshot', fault: 'throttle', rate: 0 }]);
  for (let i = 0; i < 5; i++) await ebs.send(new StartSnapshotCommand({ VolumeSize: 1 }));
  assert.equal(proxy.counts.drop, 1);
  assert.equal(proxy.counts['server-error'], 1);
});

test('delay forwards late; drop-response forwards but never answers', async () => {
  const ebs = new EBSClient(clientConfig());
  proxy.setRules([{ operation: 'StartSnapshot', fault: 'delay', delayMs: 300, times: 1 }]);
  const t0 = Date.now();
  await ebs.send(new StartSnapshotCommand({ VolumeSize: 1 }));
  assert.ok(Date.now() - t0 >= 250, 'the delay was applied');
  const before = seen.length;
  proxy.setRules([{ operation: 'StartSnapshot', fault: 'drop-response', times: 1 }]);
  await assert.rejects(ebs.send(new StartSnapshotCommand({ VolumeSize: 1 })));
  assert.equal(seen.length, before + 1, 'the target saw the request');
});

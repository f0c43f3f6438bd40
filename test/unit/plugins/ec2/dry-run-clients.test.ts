/**
 * The AWS clients of a dry run (plugins/ec2/aws/dry-run-answers.ts): real SDK clients whose requests
 * never leave the process, recorded like a build's, answered so that the tasks' waits end at once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AttachVolumeCommand,
  CreateVolumeCommand,
  DescribeImagesCommand,
  DescribeVolumesCommand,
  DetachVolumeCommand,
  RegisterImageCommand,
} from '@aws-sdk/client-ec2';
import type { CloudCall } from '../../../../src/api/index.js';
import { createAwsClients } from '../../../../plugins/ec2/aws/clients.js';
import { createDryRunResponder } from '../../../../plugins/ec2/aws/dry-run-answers.js';

test('dry-run clients answer in process and record each call with its region and parameters', async () => {
  const calls: CloudCall[] = [];
  // An endpoint nothing listens on: a request that left the process would fail.
  const aws = await createAwsClients({
    runId: 'test0001',
    region: 'eu-central-1',
    endpoints: { ec2: 'http://127.0.0.1:9' },
    dryRun: true,
  });
  aws.useSink({ record: (c) => calls.push(c), log: () => undefined });
  try {
    const none = await aws.ec2.send(new DescribeImagesCommand({ Owners: ['self'] }));
    assert.deepEqual(none.Images, []);
    const registered = await aws.ec2.send(
      new RegisterImageCommand({ Name: 'x', RootDeviceName: '/dev/xvda' }),
    );
    assert.equal(registered.ImageId, '<ami>');
    assert.deepEqual(
      calls.map((c) => [c.service, c.region, c.operation]),
      [
        ['ec2', 'eu-central-1', 'DescribeImages'],
        ['ec2', 'eu-central-1', 'RegisterImage'],
      ],
    );
    assert.deepEqual(calls[1]?.params, { Name: 'x', RootDeviceName: '/dev/xvda' });
    assert.equal(aws.dryRun, true);
    assert.equal(aws.credentialSource, 'nowhere (dry run)');
    const other = await aws.inRegion('us-west-2');
    await other.ec2.send(new DescribeImagesCommand({ ImageIds: ['<ami copy>'] }));
    assert.equal(calls.at(-1)?.region, 'us-west-2', 'another region records into the same sink');
  } finally {
    aws.destroy();
  }
});

test("the build's volume moves through its states, so the EBS route's waits end", async () => {
  const aws = await createAwsClients({ runId: 'test0001', region: 'eu-west-1', dryRun: true });
  const state = async () =>
    (await aws.ec2.send(new DescribeVolumesCommand({ VolumeIds: ['<volume>'] }))).Volumes?.[0];
  try {
    const { VolumeId } = await aws.ec2.send(new CreateVolumeCommand({ Size: 8, AvailabilityZone: 'z' }));
    assert.equal(VolumeId, '<volume>');
    assert.equal((await state())?.State, 'available');
    await aws.ec2.send(new AttachVolumeCommand({ VolumeId, InstanceId: 'i-1', Device: '/dev/sdf' }));
    assert.equal((await state())?.Attachments?.[0]?.State, 'attached');
    await aws.ec2.send(new DetachVolumeCommand({ VolumeId }));
    assert.deepEqual([(await state())?.State, (await state())?.Attachments], ['available', []]);
  } finally {
    aws.destroy();
  }
});

test('unknown operations get an empty success, lookups by filter find nothing', () => {
  const respond = createDryRunResponder();
  assert.deepEqual(respond('DeleteSnapshot', { SnapshotId: 's' }), {});
  assert.deepEqual(respond('DescribeSnapshots', { Filters: [] }), { Snapshots: [] });
  assert.deepEqual(respond('DescribeInstances', {}), { Reservations: [] });
});

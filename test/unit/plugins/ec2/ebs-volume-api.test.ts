/**
 * The EBS route's EC2 calls with an in-process EC2 stand-in: the CreateVolume parameters, and the
 * idempotency every undo relies on (detach of a detached volume, delete of a deleted one, a detach
 * racing with another).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { createVolume, deleteVolume, detachVolume } from '../../../../plugins/ec2/ebs-host/volume-api.js';

type Answer = (input: Record<string, unknown>) => unknown;

function fakeEc2(answers: Record<string, Answer | Answer[]>) {
  const calls: [string, Record<string, unknown>][] = [];
  const client = {
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      const op = command.constructor.name.replace(/Command$/, '');
      calls.push([op, command.input]);
      const a = answers[op];
      const answer = Array.isArray(a) ? (a.length > 1 ? a.shift() : a[0]) : a;
      if (!answer) throw new Error(`unexpected ${op}`);
      return answer(command.input);
    },
  };
  return { ec2: client as unknown as EC2Client, calls, ops: () => calls.map((c) => c[0]) };
}

function awsError(code: string): Error {
  return Object.assign(new Error(code), { name: code, Code: code });
}

const signal = new AbortController().signal;

describe('EBS volume calls', () => {
  it('creates a gp3 volume with encryption, KMS key, tags and the client token', async () => {
    const f = fakeEc2({ CreateVolume: () => ({ VolumeId: 'vol-1' }) });
    const id = await createVolume(f.ec2, {
      availabilityZone: 'eu-west-1b',
      sizeGiB: 8,
      encrypted: true,
      kmsKeyId: 'alias/images',
      tags: { Name: 'x', 'debian-image-bootstrap:run': 'abcd0123' },
      clientToken: 'tok',
    });
    assert.equal(id, 'vol-1');
    assert.deepEqual(f.calls[0]?.[1], {
      AvailabilityZone: 'eu-west-1b',
      Size: 8,
      VolumeType: 'gp3',
      Encrypted: true,
      KmsKeyId: 'alias/images',
      TagSpecifications: [
        {
          ResourceType: 'volume',
          Tags: [
            { Key: 'Name', Value: 'x' },
            { Key: 'debian-image-bootstrap:run', Value: 'abcd0123' },
          ],
        },
      ],
      ClientToken: 'tok',
    });
  });

  it('detaching a volume that is not attached sends no DetachVolume', async () => {
    const f = fakeEc2({ DescribeVolumes: () => ({ Volumes: [{ State: 'available', Attachments: [] }] }) });
    assert.equal(await detachVolume(f.ec2, 'vol-1', signal), 'not-attached');
    assert.deepEqual(f.ops(), ['DescribeVolumes']);
  });

  it('detaches with the attachment instance and device, and waits for available', async () => {
    const attached = {
      State: 'in-use',
      Attachments: [{ State: 'attached', InstanceId: 'i-1', Device: '/dev/sdf' }],
    };
    const f = fakeEc2({
      DescribeVolumes: [() => ({ Volumes: [attached] }), () => ({ Volumes: [{ State: 'available' }] })],
      DetachVolume: () => ({}),
    });
    assert.equal(await detachVolume(f.ec2, 'vol-1', signal), 'detached');
    assert.deepEqual(f.calls[1], [
      'DetachVolume',
      { VolumeId: 'vol-1', InstanceId: 'i-1', Device: '/dev/sdf' },
    ]);
  });

  it('a detach that lost a race (IncorrectState) still waits and succeeds', async () => {
    const attached = { State: 'in-use', Attachments: [{ State: 'attached', InstanceId: 'i-1' }] };
    const f = fakeEc2({
      DescribeVolumes: [() => ({ Volumes: [attached] }), () => ({ Volumes: [{ State: 'available' }] })],
      DetachVolume: () => {
        throw awsError('IncorrectState');
      },
    });
    assert.equal(await detachVolume(f.ec2, 'vol-1', signal), 'detached');
  });

  it('deleting a volume that is gone is "absent", not an error', async () => {
    const f = fakeEc2({
      DescribeVolumes: () => {
        throw awsError('InvalidVolume.NotFound');
      },
    });
    assert.equal(await deleteVolume(f.ec2, 'vol-1', signal), 'absent');
    assert.deepEqual(f.ops(), ['DescribeVolumes']);
  });

  it('deletes an available volume', async () => {
    const f = fakeEc2({
      DescribeVolumes: () => ({ Volumes: [{ State: 'available' }] }),
      DeleteVolume: () => ({}),
    });
    assert.equal(await deleteVolume(f.ec2, 'vol-1', signal), 'deleted');
    assert.deepEqual(f.ops(), ['DescribeVolumes', 'DeleteVolume']);
  });
});

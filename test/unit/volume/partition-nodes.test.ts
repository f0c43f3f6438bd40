/** Partition nodes of a provider-attached disk: partx, then a bounded wait for each node. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BuildError } from '../../../src/api/index.js';
import { settlePartitionNodes } from '../../../src/volume/partition-nodes.js';
import { hostFs, TestRunner } from '../../helpers/fake-context.js';

describe('settlePartitionNodes', () => {
  it('runs partx -u (then -a when -u fails) and waits until each node exists', async () => {
    const runner = new TestRunner((argv) => {
      if (argv[1] === '-u') throw new Error('partx: /dev/nvme1n1: failed to read partition table');
      return undefined;
    });
    let polls = 0;
    const fs = { ...hostFs, exists: async (p: string) => p === '/dev/nvme1n1p1' || ++polls > 3 };
    await settlePartitionNodes('/dev/nvme1n1', [1, 2], { runner, fs });
    assert.deepEqual(runner.lines(), ['partx -u /dev/nvme1n1', 'partx -a /dev/nvme1n1']);
    assert.ok(polls > 3, 'waited for /dev/nvme1n1p2');
  });

  it('names the missing node after the timeout', async () => {
    const fs = { ...hostFs, exists: async () => false };
    await assert.rejects(
      settlePartitionNodes('/dev/xvdf', [1], { runner: new TestRunner(), fs, timeoutMs: 150 }),
      (err: unknown) =>
        err instanceof BuildError &&
        /partition 1 of \/dev\/xvdf did not appear as \/dev\/xvdf1/.test(err.message),
    );
  });
});

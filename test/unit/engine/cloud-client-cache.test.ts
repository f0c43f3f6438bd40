import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CloudClientKind, TaskContext } from '../../../src/api/index.js';
import { createCloudClientCache } from '../../../src/engine/cloud-client-cache.js';
import { testContext } from '../../helpers/fake-context.js';

function kind(log: string[], failFirstConnect = false): CloudClientKind<{ id: string }> {
  let connects = 0;
  return {
    name: 'fake',
    connect: async () => {
      connects++;
      log.push(`connect ${connects}`);
      if (failFirstConnect && connects === 1) throw new Error('no credentials');
      return { id: `real ${connects}` };
    },
    record: async () => {
      log.push('record');
      return { id: 'recording' };
    },
    close: (c) => void log.push(`close ${c.id}`),
  };
}

const ctx = (): TaskContext => testContext({});

test('a build makes each kind once, on first use, and closes it at the end', async () => {
  const log: string[] = [];
  const cache = createCloudClientCache(false);
  const k = kind(log);
  const [a, b] = await Promise.all([cache.get(k, ctx()), cache.get(k, ctx())]);
  assert.equal(a, b);
  assert.equal(a.id, 'real 1');
  cache.closeAll();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(log, ['connect 1', 'close real 1']);
});

test('a dry run gets the recording clients, and never the real ones', async () => {
  const log: string[] = [];
  const cache = createCloudClientCache(true);
  assert.equal((await cache.get(kind(log), ctx())).id, 'recording');
  assert.deepEqual(log, ['record']);
});

test('clients handed in (a test) win over both, and are not closed by the build', async () => {
  const log: string[] = [];
  const given = { id: 'given' };
  const cache = createCloudClientCache(false, new Map([['fake', given]]));
  assert.equal(await cache.get(kind(log), ctx()), given);
  cache.closeAll();
  assert.deepEqual(log, []);
});

test('a failed connect is not kept: the next task tries again', async () => {
  const log: string[] = [];
  const cache = createCloudClientCache(false);
  const k = kind(log, true);
  await assert.rejects(cache.get(k, ctx()), /no credentials/);
  await new Promise((r) => setImmediate(r));
  assert.equal((await cache.get(k, ctx())).id, 'real 2');
});

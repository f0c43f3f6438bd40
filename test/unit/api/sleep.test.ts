import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sleep } from '../../../src/api/index.js';

it('sleeps, and rejects with the signal’s reason as soon as it fires, or at once when it has', async () => {
  await sleep(1);
  const controller = new AbortController();
  const reason = new Error('interrupted by SIGINT');
  const waiting = sleep(60_000, controller.signal);
  controller.abort(reason);
  await assert.rejects(waiting, (e) => e === reason);
  await assert.rejects(sleep(1, controller.signal), (e) => e === reason);
});

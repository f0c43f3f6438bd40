import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { installInterruptHandlers } from '../../../src/engine/interrupts.js';

describe('installInterruptHandlers', () => {
  it('aborts the build on the first signal and the rollback on the second', () => {
    const target = new EventEmitter();
    const told: string[] = [];
    const h = installInterruptHandlers({
      target,
      onFirst: (s) => told.push(`first ${s}`),
      onSecond: (s) => told.push(`second ${s}`),
    });
    assert.equal(h.signal.aborted, false);
    target.emit('SIGTERM', 'SIGTERM');
    assert.equal(h.signal.aborted, true);
    assert.match(String(h.signal.reason), /interrupted by SIGTERM/);
    assert.equal(h.abortRollback.aborted, false);
    target.emit('SIGINT', 'SIGINT');
    assert.equal(h.abortRollback.aborted, true);
    target.emit('SIGINT', 'SIGINT');
    assert.deepEqual(told, ['first SIGTERM', 'second SIGINT']);
    h.dispose();
    assert.equal(target.listenerCount('SIGINT'), 0);
    assert.equal(target.listenerCount('SIGTERM'), 0);
  });
});

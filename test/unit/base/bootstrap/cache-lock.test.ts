import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { acquireLock } from '../../../../src/base/bootstrap/cache-lock.js';
import { tempDir } from '../../../helpers/fake-context.js';

test('acquireLock creates the lock exclusively and release removes it', async () => {
  const dir = await tempDir();
  try {
    const lock = join(dir.path, 'k.lock');
    const release = await acquireLock(lock);
    assert.ok(release);
    assert.equal((await readFile(lock, 'utf8')).trim(), `${hostname()}:${process.pid}`);
    await release();
    await assert.rejects(stat(lock));
  } finally {
    await dir.cleanup();
  }
});

test('a second taker waits, and stops waiting when the work is done by the holder', async () => {
  const dir = await tempDir();
  try {
    const lock = join(dir.path, 'k.lock');
    const release = await acquireLock(lock);
    let waitedFor = '';
    let polls = 0;
    const second = await acquireLock(lock, {
      pollMs: 5,
      onWait: (owner) => (waitedFor = owner),
      done: async () => ++polls >= 3,
    });
    assert.equal(second, undefined, 'returns undefined: the holder finished the work');
    assert.equal(waitedFor, `${hostname()}:${process.pid}`);
    assert.equal(polls, 3);
    await release?.();
  } finally {
    await dir.cleanup();
  }
});

test('a stale lock (too old, or naming a dead pid on this host) is broken', async () => {
  const dir = await tempDir();
  try {
    const lock = join(dir.path, 'k.lock');
    await writeFile(lock, 'otherhost:1\n');
    const old = new Date(Date.now() - 3600_000);
    await utimes(lock, old, old);
    const r1 = await acquireLock(lock, { pollMs: 5, staleMs: 60_000 });
    assert.ok(r1);
    await r1();
    // pid 2^22+1 is above Linux's pid_max default, so no process has it.
    await writeFile(lock, `${hostname()}:4194305\n`);
    const r2 = await acquireLock(lock, { pollMs: 5 });
    assert.ok(r2);
    assert.equal((await readFile(lock, 'utf8')).trim(), `${hostname()}:${process.pid}`);
    await r2();
  } finally {
    await dir.cleanup();
  }
});

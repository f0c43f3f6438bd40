import assert from 'node:assert/strict';
import { it } from 'node:test';
import { formatBytes, GiB, MiB } from '../../../src/api/index.js';

it('formats byte counts for people: whole units bare, others to one decimal', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(MiB), '1 MiB');
  assert.equal(formatBytes(56.7 * MiB), '56.7 MiB');
  assert.equal(formatBytes(GiB), '1 GiB');
  assert.equal(formatBytes(-2 * MiB), '-2 MiB');
  assert.equal(formatBytes(3 * 1024 * GiB), '3 TiB');
});

/**
 * A mount command that fails or is cancelled (Ctrl-C) after the kernel mounted the target: the table
 * records it anyway, so the rollback unmounts it (issue 16, the SIGINT phase matrix). `/` stands for
 * a target that is a mount point; a fresh temp dir for one that is not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MountTable } from '../../../src/volume/mounts.js';
import { hostFs, tempDir, TestRunner } from '../../helpers/fake-context.js';

const cancelled = new TestRunner((argv) => {
  if (argv[0] === 'mount') throw new Error('command failed (canceled)');
  return undefined;
});

test('a cancelled mount whose target is mounted is recorded for the rollback', async () => {
  const table = new MountTable({ runner: cancelled, fs: { ...hostFs, mkdir: async () => {} } });
  await assert.rejects(table.mount({ source: '/dev/loop9p1', target: '/' }), /canceled/);
  assert.deepEqual(table.mounted, ['/']);
});

test('a failed mount whose target is not a mount point is not recorded', async () => {
  const dir = await tempDir();
  try {
    const table = new MountTable({ runner: cancelled, fs: hostFs });
    await assert.rejects(table.mount({ source: '/dev/loop9p1', target: dir.path }), /canceled/);
    assert.deepEqual(table.mounted, []);
  } finally {
    await dir.cleanup();
  }
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommandError } from '../../../src/api/index.js';
import { createRecordingRunner } from '../../../src/runner/recording-runner.js';

describe('recording runner', () => {
  it('records run and chroot calls and answers with an empty success', async () => {
    const r = createRecordingRunner();
    const result = await r.run(['losetup', '--show', '-f', '/img']);
    await r.chroot('/mnt/root', ['update-grub'], { env: { A: 'b' } });
    assert.equal(r.dryRun, true);
    assert.deepEqual(result, {
      argv: ['losetup', '--show', '-f', '/img'],
      exitCode: 0,
      stdout: '',
      stderr: '',
      durationMs: 0,
    });
    assert.deepEqual(r.lines(), ['losetup --show -f /img', '[chroot /mnt/root] update-grub']);
    assert.equal(r.calls[1]?.chrootRoot, '/mnt/root');
    assert.deepEqual(r.calls[1]?.options.env, { A: 'b' });
  });

  it('tags the calls of a runner bound to a task, in one list, and prints roots on request', async () => {
    const r = createRecordingRunner();
    const task = r.bind({ taskId: 'base/mount-volume', signal: new AbortController().signal });
    await task.run(['mount', '/dev/loop0p1', '/mnt']);
    await r.run(['sync']);
    await task.chroot('/mnt', ['true']);
    assert.deepEqual(
      r.calls.map((c) => c.taskId),
      ['base/mount-volume', undefined, 'base/mount-volume'],
    );
    assert.deepEqual(r.lines({ roots: false }), ['mount /dev/loop0p1 /mnt', 'sync', '[chroot] true']);
    assert.equal(task.dryRun, true);
  });

  it('returns dryRunResult, and scripted results take precedence', async () => {
    const r = createRecordingRunner({
      results: (argv) => (argv[0] === 'blkid' ? { stdout: 'uuid-1' } : undefined),
    });
    const losetup = await r.run(['losetup', '--show'], { dryRunResult: { stdout: '/dev/loop7' } });
    const blkid = await r.run(['blkid'], { dryRunResult: { stdout: 'ignored' } });
    assert.equal(losetup.stdout, '/dev/loop7');
    assert.equal(blkid.stdout, 'uuid-1');
  });

  it('throws CommandError for a scripted non-OK exit code, unless it is in okExitCodes', async () => {
    const r = createRecordingRunner({ results: () => ({ exitCode: 2, stderr: 'a\nboom\n' }) });
    await assert.rejects(
      r.run(['mkfs.ext4', '/dev/x']),
      (e: unknown) => e instanceof CommandError && e.exitCode === 2 && e.stderrTail === 'a\nboom',
    );
    const ok = await r.run(['grep', 'x'], { okExitCodes: [0, 2] });
    assert.equal(ok.exitCode, 2);
  });

  it('feeds scripted output to onLine', async () => {
    const r = createRecordingRunner({ results: () => ({ stdout: '1\n2\n' }) });
    const lines: string[] = [];
    await r.run(['x'], { onLine: (l, s) => lines.push(`${s}:${l}`) });
    assert.deepEqual(lines, ['stdout:1', 'stdout:2']);
  });
});

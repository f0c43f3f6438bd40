/**
 * Issue 16, item 7: host resources in the journal. A build's journal names its owner (pid and start
 * time), so cleanup leaves live builds alone; host resources (plugin `host`) are cleaned first and in
 * order; a local build that released everything leaves no journal file; the process cleaner stops
 * only the process the journal names (same pid and start time).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import type { CloudCleaner } from '../../../src/api/index.js';
import { cleanupRuns } from '../../../src/engine/cloud-cleanup.js';
import { createFileJournal, readJournals } from '../../../src/engine/cloud-journal-file.js';
import { HOST_JOURNAL_PLUGIN, processStartTime } from '../../../src/api/index.js';
import { hostCleaners, isSameProcess, mountsAtOrBelow } from '../../../src/volume/host-cleaners.js';
import { tempDir, TestRunner } from '../../helpers/fake-context.js';

const me = { pid: process.pid, start: processStartTime(process.pid) ?? '' };

function recordingCleaners(removed: string[]): Map<string, CloudCleaner[]> {
  const cleaner = (kind: string): CloudCleaner => ({
    kind,
    remove: async (id) => {
      removed.push(`${kind} ${id}`);
      return 'deleted';
    },
  });
  return new Map([
    [HOST_JOURNAL_PLUGIN, ['process', 'mounts', 'loop', 'workspace'].map(cleaner)],
    ['ec2', [cleaner('snapshot')]],
  ]);
}

test('the owner line: a run whose build still runs is left alone; a dead one is cleaned, host first', async () => {
  const dir = await tempDir();
  try {
    const live = createFileJournal('live0001', dir.path, { owner: me });
    await live.intend({ plugin: HOST_JOURNAL_PLUGIN, kind: 'workspace', key: 'host-workspace' });
    await live.created('host-workspace', '/ws/live0001');
    const dead = createFileJournal('dead0001', dir.path, { owner: { pid: 999999, start: '1' } });
    await dead.intend({ plugin: 'ec2', kind: 'snapshot', key: 's' });
    await dead.created('s', 'snap-1');
    for (const [kind, id] of [
      ['workspace', '/ws/dead0001'],
      ['mounts', '/ws/dead0001'],
      ['loop', '/dev/loop7 /ws/dead0001/volume.raw'],
      ['process', '4242:77'],
    ]) {
      await dead.intend({ plugin: HOST_JOURNAL_PLUGIN, kind: kind!, key: `host-${kind}` });
      await dead.created(`host-${kind}`, id!);
    }
    const [run] = await readJournals(dir.path, 'live0001');
    assert.deepEqual(run?.owner, me);

    const removed: string[] = [];
    const logs: string[] = [];
    const result = await cleanupRuns({
      dir: dir.path,
      cleaners: recordingCleaners(removed),
      isRunning: isSameProcess,
      log: (m) => logs.push(m),
    });
    assert.ok(result.ok);
    assert.deepEqual(removed, [
      'process 4242:77',
      'mounts /ws/dead0001',
      'loop /dev/loop7 /ws/dead0001/volume.raw',
      'workspace /ws/dead0001',
      'snapshot snap-1',
    ]);
    assert.ok(logs.some((l) => /run live0001: the build is still running/.test(l)));

    // A second cleanup finds nothing of the dead run; the live one is still left alone.
    removed.length = 0;
    await cleanupRuns({
      dir: dir.path,
      cleaners: recordingCleaners(removed),
      isRunning: isSameProcess,
      log: () => {},
    });
    assert.deepEqual(removed, []);
  } finally {
    await dir.cleanup();
  }
});

test('a build that journaled only host resources and released them all leaves no journal file', async () => {
  const dir = await tempDir();
  try {
    const j = createFileJournal('done0001', dir.path, { owner: me });
    await j.intend({ plugin: HOST_JOURNAL_PLUGIN, kind: 'workspace', key: 'host-workspace' });
    await j.created('host-workspace', '/ws');
    assert.ok(existsSync(j.file ?? ''));
    await j.released('host-workspace');
    await j.finish('failed');
    assert.equal(existsSync(j.file ?? ''), false);

    // One still open (a rollback that could not detach): the file stays for cleanup.
    const k = createFileJournal('left0001', dir.path, { owner: me });
    await k.intend({ plugin: HOST_JOURNAL_PLUGIN, kind: 'loop', key: 'host-loop' });
    await k.finish('failed');
    assert.ok(existsSync(k.file ?? ''));
  } finally {
    await dir.cleanup();
  }
});

test('the process cleaner stops the journaled process, and leaves a pid with another start time alone', async () => {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  try {
    const pid = child.pid as number;
    let start: string | undefined;
    for (let i = 0; i < 50 && start === undefined; i++) {
      start = processStartTime(pid);
      if (start === undefined) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(start);
    const [processCleaner] = hostCleaners(new TestRunner());
    const scope = { runId: 'x', log: () => {} };
    assert.equal(await processCleaner!.remove(`${pid}:${Number(start) + 1}`, scope), 'absent');
    assert.equal(processStartTime(pid), start, 'a pid with another start time is not touched');
    assert.equal(await processCleaner!.remove(`${pid}:${start}`, scope), 'deleted');
    await exited;
  } finally {
    child.kill('SIGKILL');
  }
});

test('mounts at or below the workspace, deepest first, octal escapes undone', () => {
  const mountinfo = [
    '22 1 8:1 / / rw - ext4 /dev/sda1 rw',
    '90 22 7:0 / /var/tmp/ws/ab12/root rw - ext4 /dev/loop0p1 rw',
    '91 90 0:5 / /var/tmp/ws/ab12/root/proc rw - proc proc rw',
    '92 90 0:6 / /var/tmp/ws/ab12/root/dev/pts rw - devpts devpts rw',
    '93 22 0:7 / /var/tmp/ws/ab123/root rw - ext4 /dev/loop1p1 rw',
    '94 22 0:8 / /var/tmp/my\\040ws/cd34 rw - tmpfs tmpfs rw',
  ].join('\n');
  assert.deepEqual(mountsAtOrBelow('/var/tmp/ws/ab12', mountinfo), [
    '/var/tmp/ws/ab12/root/dev/pts',
    '/var/tmp/ws/ab12/root/proc',
    '/var/tmp/ws/ab12/root',
  ]);
  assert.deepEqual(mountsAtOrBelow('/var/tmp/my ws/cd34', mountinfo), ['/var/tmp/my ws/cd34']);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { CloudJournal, CloudResourceIntent } from '../../../src/api/index.js';
import { journalHostProcess } from '../../../src/api/index.js';
import { bootResourceJournal } from '../../../src/boottest/boot-test-plugin.js';

function memoryJournal(): CloudJournal & { lines: string[] } {
  const lines: string[] = [];
  return {
    runId: 'r1',
    lines,
    intend: (r: CloudResourceIntent) => {
      lines.push(`intend ${r.plugin} ${r.kind} ${r.key}`);
      return Promise.resolve();
    },
    created: (key: string, id: string) => {
      lines.push(`created ${key} ${id}`);
      return Promise.resolve();
    },
    released: (key: string) => {
      lines.push(`released ${key}`);
      return Promise.resolve();
    },
  } as CloudJournal & { lines: string[] };
}

test('the boot test journals its QEMU, swtpm and temp dir once each, and releases them all', async () => {
  const journal = memoryJournal();
  const qemu = spawn('sleep', ['30'], { stdio: 'ignore' });
  const swtpm = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    const resources = bootResourceJournal(journal);
    // As runBootTest reports them: the dir first, then swtpm, then QEMU with swtpm again, then a reboot's QEMU.
    resources.record({ dir: '/tmp/boot-test-x' });
    resources.record({ pids: [swtpm.pid ?? 0], dir: '/tmp/boot-test-x' });
    resources.record({ pid: qemu.pid ?? 0, pids: [swtpm.pid ?? 0], dir: '/tmp/boot-test-x' });
    await resources.release();
    const intents = journal.lines.filter((l) => l.startsWith('intend'));
    assert.deepEqual(
      intents.map((l) => l.split(' ').slice(1, 3).join(' ')),
      ['host workspace', 'host process', 'host process'],
    );
    assert.ok(journal.lines.includes(`created host-dir-/tmp/boot-test-x /tmp/boot-test-x`));
    assert.ok(journal.lines.some((l) => l.startsWith(`created host-process-${qemu.pid}-`)));
    const released = journal.lines.filter((l) => l.startsWith('released')).length;
    assert.equal(released, 3, journal.lines.join('\n'));
  } finally {
    qemu.kill('SIGKILL');
    swtpm.kill('SIGKILL');
  }
});

test('journalHostProcess: a process that is already gone is not journaled', async () => {
  const journal = memoryJournal();
  const child = spawn('true', { stdio: 'ignore' });
  const pid = child.pid ?? 0;
  await new Promise((r) => child.once('exit', r));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(await journalHostProcess(journal, pid), undefined);
  assert.deepEqual(journal.lines, []);
});

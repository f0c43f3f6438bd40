import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processesInside, stopProcesses } from '../../../src/volume/stop-processes.js';

test('processesInside finds a process by its working directory; stopProcesses ends one that ignores SIGTERM', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stop-processes-'));
  // A shell that traps SIGTERM, so only the SIGKILL after the grace period ends it.
  const child = spawn('sh', ['-c', 'trap "" TERM; while :; do sleep 0.05; done'], {
    cwd: dir,
    stdio: 'ignore',
  });
  const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_c, s) => r(s)));
  try {
    await new Promise((r) => setTimeout(r, 200));
    const found = await processesInside(dir);
    assert.ok(child.pid !== undefined && found.includes(child.pid), `${child.pid} in ${found.join(' ')}`);
    assert.ok(!(await processesInside(join(dir, 'elsewhere'))).includes(child.pid ?? -1));
    await stopProcesses(found, () => processesInside(dir));
    assert.equal(await exited, 'SIGKILL');
  } finally {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});

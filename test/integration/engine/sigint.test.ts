/**
 * Ctrl-C during a build: the child process gets SIGINT (to its pid only, so `sleep` must be killed
 * by the runner's cancel logic), rolls back the task that was running, and exits 1, leaving no temp
 * dir and no mount behind.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const fixture = fileURLToPath(new URL('./fixtures/interruptible-build.ts', import.meta.url));
const isRoot = process.getuid?.() === 0;

function mountsUnder(dir: string): string {
  const out = execFileSync('findmnt', ['-rn', '-o', 'TARGET'], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((t) => t === dir || t.startsWith(`${dir}/`))
    .join('\n');
}

describe('SIGINT during a build', () => {
  it('rolls back the running task and exits 1 with nothing left behind', { timeout: 60_000 }, async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const events: Record<string, unknown>[] = [];
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    let dir: string | undefined;
    let signalledAt = 0;
    for await (const line of createInterface({ input: child.stdout })) {
      const event = JSON.parse(line) as Record<string, unknown>;
      events.push(event);
      const ready = event['type'] === 'log' ? /^ready (.+)$/.exec(String(event['message'])) : null;
      if (ready?.[1]) {
        dir = ready[1];
        assert.ok(existsSync(dir), 'the temp dir exists before the interrupt');
        if (isRoot) assert.notEqual(mountsUnder(dir), '', 'the tmpfs is mounted before the interrupt');
        // Let `sleep 30` start before interrupting.
        await new Promise((r) => setTimeout(r, 300));
        signalledAt = Date.now();
        child.kill('SIGINT');
      }
    }
    const code = await exited;
    assert.ok(dir, `the task never reported ready; stderr:\n${stderr}`);
    assert.equal(code, 1, stderr);
    assert.ok(Date.now() - signalledAt < 10_000, 'sleep 30 was cancelled, not waited for');
    assert.match(stderr, /interrupted by SIGINT/);
    assert.ok(
      events.some(
        (e) => e['type'] === 'undo' && e['id'] === 'fixture/make-resources' && e['status'] === 'ok',
      ),
    );
    const result = events.find((e) => e['type'] === 'result');
    assert.equal(result?.['status'], 'interrupted');
    assert.deepEqual(result?.['rollback'], {
      ok: true,
      undone: ['fixture/make-resources'],
      failed: [],
      leftUndone: [],
    });
    assert.equal(existsSync(dir), false, 'the temp dir was removed');
    assert.equal(mountsUnder(dir), '', 'no mount is left');
  });
});

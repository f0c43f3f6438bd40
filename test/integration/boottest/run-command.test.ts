/**
 * `bootstrap run` for real (issue 13, item 3): builds manifests/debian-qemu.yml (the shared
 * BOOTSTRAP_CACHE_DIR makes that a minute), then `bootstrap run IMAGE --ssh -- 'cat /etc/os-release; exit 7'`
 * as a script would: no terminal, the command's output on stdout, its status as the exit code. The
 * guest is reached through the systemd credential alone (the image has no cloud-init). Afterwards
 * nothing may be left: no QEMU, socat or swtpm, no temp dir or overlay, no journal entry, and the
 * image unchanged. Needs root, loop devices and qemu-system-x86_64.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hostLeftovers } from '../../helpers/host-leftovers.js';

const skip =
  process.getuid?.() !== 0 || !existsSync('/dev/loop-control')
    ? 'needs root and loop devices'
    : !existsSync('/usr/bin/qemu-system-x86_64')
      ? 'needs qemu-system-x86_64'
      : false;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

function bootstrap(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<Run> {
  const began = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr, seconds: (Date.now() - began) / 1000 }));
  });
}

describe('bootstrap run IMAGE --ssh -- COMMAND', { skip, timeout: 15 * 60_000 }, () => {
  const work = skip ? '/nonexistent' : mkdtempSync('/var/tmp/it-run-');
  const image = join(work, 'ws', 'it-run.raw');
  // The run's temp dir (os.tmpdir) and journal go inside the test's directory, where they can be watched.
  const tmp = join(work, 'tmp');
  const state = join(work, 'state');
  let built: Run;
  before(async () => {
    mkdirSync(tmp);
    built = await bootstrap([
      'manifests/debian-qemu.yml',
      '--set',
      `bootstrapper.workspace=${join(work, 'ws')}`,
      '--set',
      'name=it-run',
      '--progress',
      'plain',
      '--log',
      '-',
    ]);
  });
  after(() => {
    const { mounts } = hostLeftovers(work);
    if (mounts.length === 0) rmSync(work, { recursive: true, force: true });
  });

  it('runs the command in the guest, exits with its status and leaves nothing', async (t) => {
    assert.equal(built.code, 0, built.stderr.slice(-3000));
    const before = statSync(image);
    // One boot for both: the command's output, and its status as the exit status.
    const run = await bootstrap(['run', image, '--ssh', '--', 'cat /etc/os-release; exit 7'], {
      TMPDIR: tmp,
      BOOTSTRAP_STATE_DIR: state,
    });
    t.diagnostic(`build ${built.seconds.toFixed(0)} s, run to the command's end ${run.seconds.toFixed(0)} s`);
    const detail = `exit ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
    assert.equal(run.code, 7, detail);
    assert.match(run.stdout, /^VERSION_CODENAME=trixie$/m, detail);
    // The ssh command a person would paste, printed before the session.
    assert.match(
      run.stderr,
      /^ssh: ssh -i \S+\/bootstrap-run-\w+\/id_ed25519 -p \d+ .*root@127\.0\.0\.1$/m,
      detail,
    );
    assert.match(run.stderr, /on a throw-away overlay/);
    assert.match(run.stderr, /the SSH session ended; QEMU stopped, temp dir removed \(exit 7\)/);

    // Nothing left: no process naming the test's directory (QEMU, its socat relays), no temp dir or
    // overlay, no journal, the image as built.
    assert.deepEqual(hostLeftovers(work), { loops: [], mounts: [], processes: [] });
    assert.deepEqual(
      readdirSync(tmp).filter((n) => n.startsWith('bootstrap-run-')),
      [],
      'the temp dir (key, overlay) was left',
    );
    const journals = existsSync(join(state, 'journal')) ? readdirSync(join(state, 'journal')) : [];
    assert.deepEqual(journals, [], 'a journal of resources still open was left');
    const afterRun = statSync(image);
    assert.deepEqual(
      [afterRun.size, afterRun.mtimeMs],
      [before.size, before.mtimeMs],
      'the image was changed',
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommandError } from '../../../src/api/index.js';
import { createMemoryLogger } from '../../../src/log/logger.js';
import { createHostRunner } from '../../../src/runner/host-runner.js';

function runner(
  signal = new AbortController().signal,
  baseEnv: Record<string, string> = { PATH: '/usr/bin:/bin' },
) {
  const log = createMemoryLogger();
  return { log, runner: createHostRunner({ log, signal, baseEnv, killGraceMs: 500 }) };
}

async function commandError(promise: Promise<unknown>): Promise<CommandError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CommandError, `expected CommandError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the command to fail');
}

describe('host runner', () => {
  it('runs true and returns its result', async () => {
    const { runner: r } = runner();
    const result = await r.run(['true']);
    assert.equal(result.exitCode, 0);
    assert.deepEqual(result.argv, ['true']);
  });

  it('rejects false with a CommandError', async () => {
    const { runner: r } = runner();
    const error = await commandError(r.run(['false']));
    assert.equal(error.exitCode, 1);
    assert.match(error.message, /^command failed \(non-zero exit code\): false \[exit 1\]$/);
  });

  it('puts the command line, exit code and stderr tail in the error', async () => {
    const { runner: r } = runner();
    const error = await commandError(r.run(['sh', '-c', 'echo err >&2; exit 3']));
    assert.equal(error.exitCode, 3);
    assert.equal(error.stderrTail, 'err');
    assert.match(error.message, /sh -c 'echo err >&2; exit 3'/);
    assert.match(error.message, /\[exit 3\]/);
    assert.match(error.message, /\nerr$/);
  });

  it('keeps only the last 20 lines of stderr', async () => {
    const { runner: r } = runner();
    const error = await commandError(
      r.run(['sh', '-c', 'for i in $(seq 1 50); do echo line$i >&2; done; exit 2']),
    );
    const lines = error.stderrTail.split('\n');
    assert.equal(lines.length, 20);
    assert.equal(lines[0], 'line31');
    assert.equal(lines[19], 'line50');
  });

  it('accepts exit codes listed in okExitCodes', async () => {
    const { runner: r } = runner();
    const result = await r.run(['sh', '-c', 'exit 3'], { okExitCodes: [0, 3] });
    assert.equal(result.exitCode, 3);
  });

  it('returns stdout and stderr, streams lines to onLine, and passes input', async () => {
    const { runner: r } = runner();
    const seen: string[] = [];
    const result = await r.run(['sh', '-c', 'cat; echo two; echo warn >&2'], {
      input: 'one\n',
      onLine: (line, stream) => seen.push(`${stream}:${line}`),
    });
    assert.equal(result.stdout, 'one\ntwo');
    assert.equal(result.stderr, 'warn');
    assert.deepEqual(seen.sort(), ['stderr:warn', 'stdout:one', 'stdout:two']);
  });

  it('runs with a sanitized environment', async () => {
    const { runner: r } = runner(undefined, {
      PATH: '/usr/bin:/bin',
      AWS_SECRET_ACCESS_KEY: 'leak',
      HOME: '/root',
    });
    const { stdout } = await r.run(['env'], { env: { EXTRA: 'yes' } });
    const env = Object.fromEntries(stdout.split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2)));
    assert.equal(env['LC_ALL'], 'C.UTF-8');
    assert.equal(env['DEBIAN_FRONTEND'], 'noninteractive');
    assert.equal(env['EXTRA'], 'yes');
    assert.equal(env['HOME'], '/root');
    assert.equal(env['AWS_SECRET_ACCESS_KEY'], undefined);
    assert.ok((env['PATH'] ?? '').split(':').includes('/usr/sbin'));
    assert.ok((env['PATH'] ?? '').split(':').includes('/sbin'));
  });

  it('kills a sleep 30 quickly when the signal aborts', async () => {
    const controller = new AbortController();
    const { runner: r } = runner(controller.signal);
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('test abort')), 200);
    const error = await commandError(r.run(['sleep', '30']));
    assert.match(error.reason, /canceled/);
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  });

  it('does not start a command once the signal has aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const { runner: r } = runner(controller.signal);
    const error = await commandError(r.run(['true']));
    assert.match(error.reason, /canceled before it started/);
  });

  it('uses the bound signal rather than the build signal', async () => {
    const build = new AbortController();
    build.abort();
    const { runner: r } = runner(build.signal);
    const bound = r.bind({ signal: new AbortController().signal, taskId: 'x/undo' });
    const result = await bound.run(['true']);
    assert.equal(result.exitCode, 0);
  });

  it('kills a command that exceeds timeoutMs', async () => {
    const { runner: r } = runner();
    const started = Date.now();
    const error = await commandError(r.run(['sleep', '30'], { timeoutMs: 200 }));
    assert.match(error.reason, /timed out after 200 ms/);
    assert.ok(Date.now() - started < 3000);
  });

  it('reports a command that does not exist', async () => {
    const { runner: r } = runner();
    const error = await commandError(r.run(['no-such-command-xyz']));
    assert.equal(error.exitCode, undefined);
    assert.match(error.reason, /not found/);
  });

  it('logs every command line and its output at debug, tagged with the task', async () => {
    const { runner: r, log } = runner();
    await r
      .bind({ signal: new AbortController().signal, taskId: 'base/echo' })
      .run(['sh', '-c', 'echo out; echo err >&2']);
    assert.ok(
      log.lines.includes(`DEBUG: [base/echo] $ sh -c 'echo out; echo err >&2'`),
      log.lines.join('\n'),
    );
    assert.ok(log.lines.includes('DEBUG: [base/echo] 1> out'));
    assert.ok(log.lines.includes('DEBUG: [base/echo] 2> err'));
    assert.ok(log.lines.some((l) => /^DEBUG: \[base\/echo\] exit 0 after/.test(l)));
  });

  it('masks secrets in the log and in errors', async () => {
    const { runner: r, log } = runner();
    const secret = 'AKIA-very-secret-value';
    const error = await commandError(
      r.run(['sh', '-c', `echo ${secret}; echo ${secret} >&2; exit 4`], { secrets: [secret] }),
    );
    const all = log.lines.join('\n');
    assert.ok(!all.includes(secret), all);
    assert.match(all, /\*\*\*/);
    assert.ok(!error.message.includes(secret), error.message);
    assert.match(error.message, /\*\*\*/);
  });

  it('runs chroot commands through env -i with a clean environment', async () => {
    // No real chroot needed to check the command line: it is in the error of a failing chroot.
    const { runner: r } = runner();
    const error = await commandError(
      r.chroot('/nonexistent-root', ['apt-get', 'update'], { env: { FOO: 'bar' } }),
    );
    assert.match(
      error.message,
      /chroot \/nonexistent-root \/usr\/bin\/env -i PATH=\S+ LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive FOO=bar apt-get update/,
    );
  });
});

/**
 * The guestChecks hook of runGuestSession: caller checks run over the boot test's SSH login after the
 * built-in ones (as the login user, or another user with the same key), a throwing hook is one failed
 * check rather than a crashed boot test, and without SSH the hook fails (it could not run), never passes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConsoleWatch, WaitResult } from '../../../src/boottest/console-watch.js';
import { runGuestSession, type GuestChecks } from '../../../src/boottest/guest-session.js';
import { TestRunner } from '../../helpers/fake-context.js';

function fakeConsole(result: WaitResult): ConsoleWatch {
  return {
    text: () => 'localhost login:',
    waitFor: () => Promise.resolve(result),
    ended: new Promise<void>(() => {}),
    close: () => Promise.resolve(),
  };
}

/** The command ssh runs in the guest: the last argv element; the user is in the one before it. */
const remote = (argv: readonly string[]) => ({ user: argv.at(-2) ?? '', command: argv.at(-1) ?? '' });

function session(guestChecks: GuestChecks, login: 'ok' | 'refused' = 'ok', guestCheckNames?: string[]) {
  const runner = new TestRunner((argv) => {
    if (argv[0] !== 'ssh') return undefined;
    if (login === 'refused') return { exitCode: 255, stderr: 'Connection refused' };
    const { user, command } = remote(argv);
    if (command === 'whoami') return { stdout: `${user.split('@')[0]}\n` };
    return { stdout: '' };
  });
  const now = Date.now();
  return {
    runner,
    run: () =>
      runGuestSession({
        runner,
        console: fakeConsole({ kind: 'matched', seconds: 1, line: 'localhost login:' }),
        requests: [],
        ssh: { user: 'admin', port: 2222, key: '/k' },
        image: { readable: false },
        startedAt: now,
        deadline: now + (login === 'ok' ? 60_000 : 1_500),
        expectSsh: true,
        expectImdsV2: false,
        guestChecks,
        ...(guestCheckNames ? { guestCheckNames } : {}),
      }),
  };
}

describe('boot-test guestChecks hook', () => {
  it('runs after the built-in SSH checks, as the login user or another user, and reports the results', async () => {
    const { run } = session(async (guest) => {
      const me = await guest.ssh('whoami');
      const other = await guest.ssh('whoami', { user: 'root' });
      const seconds = guest.elapsed?.() ?? -1;
      return [
        {
          name: 'who',
          status: me.stdout === 'admin\n' && other.stdout === 'root\n' ? 'pass' : 'fail',
          seconds,
          detail: `${me.stdout.trim()} ${other.stdout.trim()}`,
        },
      ];
    });
    const { checks } = await run();
    const names = checks.map((c) => c.name);
    assert.ok(names.indexOf('who') > names.indexOf('fresh-machine-id'), names.join(' '));
    const who = checks.find((c) => c.name === 'who');
    assert.equal(who?.status, 'pass', who?.detail);
    assert.ok((who?.seconds ?? -1) >= 0);
  });

  it('turns a throwing hook into one failed check', async () => {
    const { run } = session(() => Promise.reject(new Error('docker never started')));
    const { checks } = await run();
    assert.deepEqual(
      checks.filter((c) => c.name === 'guest-checks').map((c) => [c.status, c.detail]),
      [['fail', 'docker never started']],
    );
  });

  it('fails the hook, saying it could not run, when SSH never worked', async () => {
    let called = false;
    const { run } = session(() => {
      called = true;
      return Promise.resolve([]);
    }, 'refused');
    const { checks } = await run();
    assert.equal(called, false);
    const hook = checks.find((c) => c.name === 'guest-checks');
    assert.equal(hook?.status, 'fail');
    assert.match(hook?.detail ?? '', /could not run: no SSH login/);
    assert.equal(
      checks
        .filter((c) => c.status === 'skipped')
        .map((c) => c.name)
        .join(' '),
      'imdsv2-tokens',
      'only a check that does not apply is skipped',
    );
  });

  it('names each check the hook would have reported (secure-boot, tpm-device...) when it cannot run', async () => {
    const { run } = session(() => Promise.resolve([]), 'refused', ['secure-boot', 'tpm-device']);
    const { checks } = await run();
    assert.deepEqual(
      checks
        .filter((c) => ['secure-boot', 'tpm-device', 'guest-checks'].includes(c.name))
        .map((c) => [c.name, c.status]),
      [
        ['secure-boot', 'fail'],
        ['tpm-device', 'fail'],
      ],
    );
  });
});

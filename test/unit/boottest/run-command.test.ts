/**
 * `bootstrap run` (issue 13, item 3) without a guest: its flags and usage errors, the command line it
 * gives QEMU and prints for ssh, the guest set-up it shares with the boot test (recording runner), and
 * the console session's quit key over a fake QEMU.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import type { ConsoleWatch } from '../../../src/boottest/console-watch.js';
import { prepareGuest, type PreparedGuest } from '../../../src/boottest/guest-machine.js';
import type { QemuProcess } from '../../../src/boottest/qemu.js';
import { qemuArgv, type QemuConfig } from '../../../src/boottest/qemu-argv.js';
import { consoleSession, QUIT_BYTE, shellJoin, statusOf } from '../../../src/boottest/run-guest.js';
import { interactiveSshArgv, sshArgv } from '../../../src/boottest/ssh.js';
import { runCommand, runSettings } from '../../../src/cli/commands/run.js';
import { CliExit, EXIT_USAGE } from '../../../src/cli/exit-codes.js';
import { createRecordingRunner, type RecordingRunner } from '../../../src/runner/recording-runner.js';
import { runCli } from '../../helpers/run-cli.js';

const out = { color: false, out: () => undefined, err: () => undefined };

function usage(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    assert.ok(error instanceof CliExit, String(error));
    assert.equal(error.code, EXIT_USAGE);
    return error.message;
  }
  assert.fail('expected a usage error');
}

async function usageAsync(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    assert.ok(error instanceof CliExit, String(error));
    assert.equal(error.code, EXIT_USAGE);
    return error.message;
  }
  assert.fail('expected a usage error');
}

describe('bootstrap run: flags', () => {
  it('takes memory, CPUs and the SSH timeout as whole numbers', () => {
    assert.deepEqual(runSettings([], {}), {});
    assert.deepEqual(
      runSettings(['cat', '/etc/os-release'], { ssh: true, memory: '2048', cpus: '4', timeout: '90' }),
      {
        memoryMiB: 2048,
        cpus: 4,
        timeoutSeconds: 90,
      },
    );
  });

  it('refuses wrong values with exit 2, naming the flag', () => {
    assert.match(
      usage(() => runSettings([], { memory: 'lots' })),
      /--memory: "lots" is not a number of MiB/,
    );
    assert.match(
      usage(() => runSettings([], { memory: '64' })),
      /at least 256/,
    );
    assert.match(
      usage(() => runSettings([], { cpus: '0' })),
      /--cpus: "0"/,
    );
    assert.match(
      usage(() => runSettings([], { cpus: '1.5' })),
      /--cpus/,
    );
    assert.match(
      usage(() => runSettings([], { firmware: 'coreboot' })),
      /--firmware: "coreboot"/,
    );
    assert.match(
      usage(() => runSettings([], { secureBoot: true, firmware: 'bios' })),
      /--secure-boot boots with UEFI/,
    );
  });

  it('a command or --timeout needs --ssh', () => {
    assert.match(
      usage(() => runSettings(['uname', '-a'], {})),
      /runs over SSH: bootstrap run IMAGE --ssh -- COMMAND/,
    );
    assert.match(
      usage(() => runSettings([], { timeout: '60' })),
      /--timeout .* needs --ssh/,
    );
  });

  it('a missing image or an unreadable --ssh-key is exit 2 before anything starts', async () => {
    assert.match(await usageAsync(runCommand('/nonexistent/image.raw', [], {}, out)), /no such image/);
    assert.match(
      await usageAsync(runCommand('/nonexistent/image.raw', [], { sshKey: '/nonexistent/id_ed25519' }, out)),
      /--ssh-key: \/nonexistent\/id_ed25519 is not readable/,
    );
  });

  it('through the CLI: the command after -- is kept whole, and commander refuses unknown flags', async () => {
    const noSsh = await runCli(['run', '/nonexistent/image.raw', '--', 'cat', '/etc/os-release']);
    assert.equal(noSsh.status, EXIT_USAGE);
    assert.match(noSsh.stderr, /a command \(cat \/etc\/os-release\) runs over SSH/);
    const missing = await runCli([
      'run',
      '/nonexistent/image.raw',
      '--ssh',
      '--',
      'cat',
      '-n',
      '/etc/os-release',
    ]);
    assert.equal(missing.status, EXIT_USAGE);
    assert.match(missing.stderr, /no such image/);
    const bad = await runCli(['run', '/nonexistent/image.raw', '--firmware', 'coreboot']);
    assert.equal(bad.status, EXIT_USAGE);
    assert.equal((await runCli(['run', '/nonexistent/image.raw', '--no-such-flag'])).status, EXIT_USAGE);
    assert.equal((await runCli(['run'])).status, EXIT_USAGE);
  });
});

describe('bootstrap run: command lines', () => {
  const base: QemuConfig = {
    arch: 'amd64',
    accel: 'tcg',
    firmware: 'bios',
    overlay: '/tmp/r/overlay.qcow2',
    sshPort: 40022,
    imdsPort: 40080,
    mac: '52:54:00:b0:07:01',
    smbiosUuid: 'ec2e1c1f-0000-4000-8000-000000000001',
  };
  const drive = (argv: string[]) => argv[argv.indexOf('-drive') + 1];

  it('the boot test keeps its overlay, cache=unsafe and -no-reboot', () => {
    const argv = qemuArgv(base);
    assert.equal(drive(argv), 'file=/tmp/r/overlay.qcow2,format=qcow2,if=virtio,cache=unsafe,discard=unmap');
    assert.ok(argv.includes('-no-reboot'));
  });

  it('--persist boots the raw image itself with writeback caching; a reboot restarts the guest', () => {
    const argv = qemuArgv({
      ...base,
      overlay: '/images/x.raw',
      diskFormat: 'raw',
      persistent: true,
      allowReboot: true,
      memoryMiB: 2048,
      cpus: 4,
    });
    assert.equal(drive(argv), 'file=/images/x.raw,format=raw,if=virtio,cache=writeback,discard=unmap');
    assert.ok(!argv.includes('-no-reboot'));
    assert.equal(argv[argv.indexOf('-m') + 1], '2048');
    assert.equal(argv[argv.indexOf('-smp') + 1], '4');
  });

  it('prints an ssh command a person can paste, with the same key, port and host-key options', () => {
    const t = { user: 'admin', port: 40022, key: '/tmp/bootstrap-run-x/id_ed25519' };
    const argv = interactiveSshArgv(t);
    assert.equal(
      shellJoin(argv),
      'ssh -i /tmp/bootstrap-run-x/id_ed25519 -p 40022 -o StrictHostKeyChecking=no ' +
        '-o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes -o LogLevel=ERROR admin@127.0.0.1',
    );
    // No BatchMode: a key with a passphrase may ask for it; the boot test's own ssh never asks.
    assert.ok(!argv.includes('BatchMode=yes'));
    assert.ok(sshArgv(t, 'true').includes('BatchMode=yes'));
    assert.deepEqual(interactiveSshArgv(t, ['cat', '/etc/os-release']).slice(-3), [
      'admin@127.0.0.1',
      'cat',
      '/etc/os-release',
    ]);
    assert.equal(shellJoin(['echo', "it's", 'a b']), `echo 'it'\\''s' 'a b'`);
  });

  it("exits with QEMU's status, a signal as 128 + its number", () => {
    assert.equal(statusOf(0), 0);
    assert.equal(statusOf(1), 1);
    assert.equal(statusOf('SIGKILL'), 137);
    assert.equal(statusOf('SIGTERM'), 143);
    assert.equal(statusOf('spawn-failed'), 1);
  });
});

describe('bootstrap run: the guest set-up shared with the boot test', () => {
  const info = (format: string) => (argv: readonly string[]) =>
    argv[0] === 'qemu-img' && argv[1] === 'info'
      ? { stdout: JSON.stringify({ format, 'virtual-size': 2 ** 31 }) }
      : undefined;

  /** prepareGuest on an amd64 BIOS image under TCG, with a key of the test's own in a temp dir. */
  async function withGuest(
    image: string,
    format: string,
    extra: Partial<Parameters<typeof prepareGuest>[0]>,
    f: (guest: PreparedGuest, runner: RecordingRunner, dir: string) => Promise<void>,
  ): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'run-unit-'));
    try {
      const key = join(dir, 'id_ed25519');
      await writeFile(key, 'private\n');
      await writeFile(`${key}.pub`, 'ssh-ed25519 AAAA me@host\n');
      const runner = createRecordingRunner({ results: info(format) });
      const guest = await prepareGuest({
        image,
        runner,
        dir,
        arch: 'amd64',
        firmware: 'bios',
        accel: 'tcg',
        sshKey: key,
        ...extra,
      });
      try {
        await f(guest, runner, dir);
      } finally {
        await guest.release();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('a throw-away overlay on the image, the key as metadata and as the systemd credential', async () => {
    await withGuest('/images/x.raw', 'raw', {}, async (guest, runner, dir) => {
      assert.deepEqual(runner.lines(), [
        'qemu-img info --force-share --output=json /images/x.raw',
        `qemu-img create -q -f qcow2 -F raw -b /images/x.raw ${dir}/overlay.qcow2`,
        `qemu-img resize -q ${dir}/overlay.qcow2 +1G`,
      ]);
      assert.equal(guest.disk, join(dir, 'overlay.qcow2'));
      assert.equal(guest.identity.publicKey, 'ssh-ed25519 AAAA me@host\n');
      assert.ok(guest.argv.includes('-no-reboot'));
      const credential = guest.argv.find((a) => a.startsWith('type=11,'));
      const b64 = Buffer.from('ssh-ed25519 AAAA me@host\n').toString('base64');
      assert.equal(credential, `type=11,value=io.systemd.credential.binary:ssh.authorized_keys.root=${b64}`);
      assert.ok(guest.argv.some((a) => a.includes(`hostfwd=tcp:127.0.0.1:${guest.sshPort}-:22`)));
      const res = await fetch(`${guest.server.url}/latest/meta-data/public-keys/0/openssh-key`);
      assert.equal(await res.text(), 'ssh-ed25519 AAAA me@host\n');
      // Safe to call twice (the caller's finally and withGuest's).
      await guest.release();
    });
  });

  it('--persist: no overlay, the image itself in its own format', async () => {
    const extra = { persist: true, allowReboot: true, memoryMiB: 512 };
    await withGuest('/images/x.qcow2', 'qcow2', extra, async (guest, runner) => {
      assert.deepEqual(runner.lines(), ['qemu-img info --force-share --output=json /images/x.qcow2']);
      assert.equal(guest.disk, '/images/x.qcow2');
      assert.ok(
        guest.argv.includes('file=/images/x.qcow2,format=qcow2,if=virtio,cache=writeback,discard=unmap'),
      );
      assert.ok(!guest.argv.includes('-no-reboot'));
    });
  });
});

describe('bootstrap run: the console session', () => {
  function fakeQemu(): QemuProcess & { typed: Buffer[]; exit(code: number | string): void; stops: number } {
    const input = new PassThrough();
    const typed: Buffer[] = [];
    input.on('data', (c: Buffer) => typed.push(c));
    let exit: (code: number | string) => void = () => undefined;
    const exited = new Promise<number | string>((r) => (exit = r));
    const fake = {
      pid: undefined,
      console: {} as ConsoleWatch,
      input,
      exited,
      typed,
      stops: 0,
      exit: (code: number | string) => exit(code),
      stderr: () => '',
      stop: async () => {
        fake.stops += 1;
        exit(0);
        await exited;
      },
    };
    return fake;
  }

  it('types what comes in into the console; Ctrl-] quits and QEMU is stopped', async () => {
    const qemu = fakeQemu();
    const stdin = new PassThrough();
    const session = consoleSession(qemu, stdin, undefined);
    stdin.write('root\r');
    stdin.write(Buffer.from([0x03, 0x41, QUIT_BYTE, 0x42]));
    const r = await session;
    assert.deepEqual(r, { exitCode: 0, ended: 'quit' });
    assert.equal(Buffer.concat(qemu.typed).toString('latin1'), 'root\r\x03A');
    assert.equal(qemu.stops, 1);
    assert.equal(stdin.listenerCount('data'), 0);
  });

  it("QEMU's own exit ends it with QEMU's status; the end of input does not", async () => {
    const qemu = fakeQemu();
    const stdin = new PassThrough();
    const session = consoleSession(qemu, stdin, undefined);
    stdin.end();
    await new Promise((r) => setTimeout(r, 20));
    qemu.exit('SIGKILL');
    assert.deepEqual(await session, { exitCode: 137, ended: 'qemu-exited' });
  });

  it('an abort (SIGTERM, Ctrl-C without a raw terminal) stops QEMU', async () => {
    const qemu = fakeQemu();
    const ac = new AbortController();
    const session = consoleSession(qemu, new PassThrough(), ac.signal);
    ac.abort();
    assert.deepEqual(await session, { exitCode: 0, ended: 'interrupted' });
    assert.equal(qemu.stops, 1);
  });
});

/**
 * Running the guest: a throw-away qcow2 overlay on the image (the image is only ever the read-only
 * backing file), a private copy of the UEFI variable store, KVM only when a real start proves it
 * works, and the QEMU process itself with its serial console on a pipe.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { access, copyFile, mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Writable } from 'node:stream';
import { join, resolve } from 'node:path';
import type { CommandRunner } from '../api/index.js';
import { watchConsole, type ConsoleWatch } from './console-watch.js';
import { qemuBinary, type Accel, type GuestArch } from './qemu-argv.js';

export const GROW_BY = '+1G';

export interface Overlay {
  readonly path: string;
  readonly backingFormat: 'raw' | 'qcow2';
  /** Virtual size of the image under test, in bytes. */
  readonly imageBytes: number;
}

export async function createOverlay(runner: CommandRunner, image: string, dir: string): Promise<Overlay> {
  const abs = resolve(image);
  const { format, bytes } = await imageFormat(runner, abs);
  const path = join(dir, 'overlay.qcow2');
  await runner.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-F', format, '-b', abs, path]);
  await runner.run(['qemu-img', 'resize', '-q', path, GROW_BY]);
  return { path, backingFormat: format, imageBytes: bytes };
}

/** The image's format (raw or qcow2, anything else refused) and virtual size in bytes. */
export async function imageFormat(
  runner: CommandRunner,
  image: string,
): Promise<{ format: 'raw' | 'qcow2'; bytes: number }> {
  // --force-share: only reads, and works while something else holds the image open.
  const info = await runner.run(['qemu-img', 'info', '--force-share', '--output=json', resolve(image)]);
  const parsed = JSON.parse(info.stdout) as { format?: string; 'virtual-size'?: number };
  const format = parsed.format === 'qcow2' ? 'qcow2' : parsed.format === 'raw' ? 'raw' : undefined;
  if (!format) throw new Error(`${image}: unsupported image format ${String(parsed.format)} (raw or qcow2)`);
  return { format, bytes: parsed['virtual-size'] ?? 0 };
}

/** Firmware files by architecture, newest layout first (Debian's ovmf and qemu-efi-aarch64). */
const UEFI_FILES: Record<GuestArch, readonly (readonly [string, string])[]> = {
  amd64: [
    ['/usr/share/OVMF/OVMF_CODE_4M.fd', '/usr/share/OVMF/OVMF_VARS_4M.fd'],
    ['/usr/share/OVMF/OVMF_CODE.fd', '/usr/share/OVMF/OVMF_VARS.fd'],
  ],
  arm64: [['/usr/share/AAVMF/AAVMF_CODE.fd', '/usr/share/AAVMF/AAVMF_VARS.fd']],
};

/**
 * OVMF's Secure Boot build (SMM, no UEFI shell) and a variable store with Microsoft's keys enrolled
 * (PK/KEK/db: the UEFI CA that signs shim), both in Debian's ovmf package.
 */
const SECURE_BOOT_FILES: readonly (readonly [string, string])[] = [
  ['/usr/share/OVMF/OVMF_CODE_4M.secboot.fd', '/usr/share/OVMF/OVMF_VARS_4M.ms.fd'],
  ['/usr/share/OVMF/OVMF_CODE.secboot.fd', '/usr/share/OVMF/OVMF_VARS.ms.fd'],
];

export async function prepareUefi(
  arch: GuestArch,
  dir: string,
  secureBoot = false,
): Promise<{ code: string; vars: string }> {
  if (secureBoot && arch !== 'amd64') throw new Error('Secure Boot boot tests are for amd64 images');
  const candidates = secureBoot ? SECURE_BOOT_FILES : UEFI_FILES[arch];
  for (const [code, vars] of candidates) {
    if ((await exists(code)) && (await exists(vars))) {
      const copy = join(dir, 'uefi-vars.fd');
      // The variable store is written by the guest (boot entries), so each run gets its own copy.
      await copyFile(vars, copy);
      return { code, vars: copy };
    }
  }
  const wanted = candidates.map(([c, v]) => (secureBoot ? `${c} with ${v}` : c)).join(' or ');
  throw new Error(
    `${secureBoot ? 'Secure Boot ' : ''}UEFI firmware not found (${wanted}); install ${arch === 'arm64' ? 'qemu-efi-aarch64' : 'ovmf'}`,
  );
}

export interface SwtpmProcess {
  readonly pid: number | undefined;
  /** The control socket QEMU's `-chardev socket` connects to. */
  readonly socket: string;
  /** Kills swtpm by its PID (SIGTERM, then SIGKILL) and waits for it. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * A software TPM 2.0 for one guest: `swtpm socket` with its state in `<dir>/tpm` (inside the boot
 * test's temp dir, so it goes with it). Resolves once the socket exists. It outlives a QEMU (a reboot
 * test boots the same TPM again) until stop() kills it, which the boot test does whatever happened.
 */
export async function startSwtpm(dir: string, timeoutMs = 10_000): Promise<SwtpmProcess> {
  const state = join(dir, 'tpm');
  await mkdir(state, { recursive: true });
  const socket = join(state, 'swtpm.sock');
  const child = spawn(
    'swtpm',
    [
      'socket',
      '--tpm2',
      '--tpmstate',
      `dir=${state}`,
      '--ctrl',
      `type=unixio,path=${socket}`,
      '--log',
      `file=${join(state, 'swtpm.log')},level=1`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
  });
  let spawnError: Error | undefined;
  child.once('error', (e) => {
    spawnError = e;
  });
  const swtpm: SwtpmProcess = { pid: child.pid, socket, stop: () => stopProcess(child) };
  const until = Date.now() + timeoutMs;
  while (!(await exists(socket))) {
    if (spawnError || child.exitCode !== null || Date.now() > until) {
      await swtpm.stop();
      const why = spawnError
        ? spawnError.message
        : child.exitCode !== null
          ? `exited ${child.exitCode}`
          : 'no socket in time';
      throw new Error(`swtpm did not start (${why})${stderr.trim() ? `: ${stderr.trim()}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return swtpm;
}

/**
 * KVM only counts when a guest actually starts with it: on nested hosts /dev/kvm exists but QEMU
 * aborts at once ("failed to set MSR"). A VM that is still running after a second is good enough.
 */
export async function detectAccel(arch: GuestArch, trialMs = 1000): Promise<Accel> {
  if (!(await exists('/dev/kvm'))) return 'tcg';
  const machine = arch === 'arm64' ? 'virt' : 'q35';
  const child = spawn(
    qemuBinary(arch),
    [
      '-machine',
      `${machine},accel=kvm`,
      '-cpu',
      'host',
      '-m',
      '64',
      '-nodefaults',
      '-display',
      'none',
      '-monitor',
      'none',
      '-serial',
      'none',
    ],
    { stdio: 'ignore' },
  );
  const outcome = await new Promise<'exited' | 'running'>((resolveTrial) => {
    const timer = setTimeout(() => resolveTrial('running'), trialMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveTrial('exited');
    });
    child.once('error', () => {
      clearTimeout(timer);
      resolveTrial('exited');
    });
  });
  if (outcome === 'running') await stopProcess(child);
  return outcome === 'running' ? 'kvm' : 'tcg';
}

export interface QemuProcess {
  readonly pid: number | undefined;
  readonly console: ConsoleWatch;
  /** The serial console's input, with `startQemu(..., { input: true })`; else undefined. */
  readonly input: Writable | undefined;
  /** Resolves with QEMU's exit code (or signal name) when it ends. */
  readonly exited: Promise<number | string>;
  /** Kills QEMU by its PID (SIGTERM, then SIGKILL) and waits for it. Safe to call twice. */
  stop(): Promise<void>;
  /** Its stderr so far (QEMU's own errors). */
  stderr(): string;
}

export interface QemuStdio {
  /** Keep the serial console's input open (`QemuProcess.input`); by default QEMU reads nothing. */
  readonly input?: boolean;
  /** Also copy everything the serial console prints here (a terminal). */
  readonly echo?: Writable;
}

export function startQemu(argv: readonly string[], serialLog: string, stdio: QemuStdio = {}): QemuProcess {
  const [file, ...args] = argv;
  if (!file) throw new TypeError('empty QEMU command line');
  const startedAt = Date.now();
  const child = spawn(file, args, { stdio: [stdio.input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  // A guest that stops reading must not crash the caller with EPIPE once QEMU is gone.
  child.stdin?.on('error', () => undefined);
  const echo = stdio.echo;
  if (echo) child.stdout?.on('data', (c: Buffer) => echo.write(c));
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
  });
  const exited = new Promise<number | string>((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit(code ?? signal ?? 'unknown'));
    child.once('error', (error) => {
      stderr += String(error.message);
      resolveExit('spawn-failed');
    });
  });
  if (!child.stdout) throw new Error('QEMU started without a stdout pipe');
  const console = watchConsole(child.stdout, serialLog, startedAt);
  return {
    pid: child.pid,
    console,
    input: child.stdin ?? undefined,
    exited,
    stderr: () => stderr,
    stop: async () => {
      await stopProcess(child);
      await console.close();
    },
  };
}

export async function stopProcess(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const gone = new Promise<void>((resolveGone) => child.once('exit', () => resolveGone()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined)
      process.kill(child.pid, 'SIGKILL');
  }, graceMs);
  await gone;
  clearTimeout(timer);
}

/** A free TCP port on 127.0.0.1 (the kernel picks it; released at once for QEMU to bind). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolveListen());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
  return port;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

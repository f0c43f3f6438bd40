/**
 * What `boot-test` and `run` both settle before a guest starts, each wrong answer a usage error
 * (exit 2): the firmware flags, the image (readable), the manifest's defaults (or the image's
 * architecture without one), the combinations the architecture refuses, and the host commands.
 */
import { EventEmitter } from 'node:events';
import { rmSync } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import { bootDefaults, NO_MANIFEST_DEFAULTS, type BootDefaults } from '../../boottest/manifest-defaults.js';
import { readImageArchitecture } from '../../boottest/image-facts.js';
import { qemuBinary, type Firmware, type GuestArch } from '../../boottest/qemu-argv.js';
import { installInterruptHandlers, type InterruptHandlers } from '../../engine/interrupts.js';
import { findMissingCommands, formatMissing } from '../../host/host-commands.js';
import { createNullLogger } from '../../log/logger.js';
import { createHostRunner } from '../../runner/index.js';
import { CliExit, EXIT_USAGE } from '../exit-codes.js';
import { loadForCli } from '../load-for-cli.js';
import type { Output } from '../output.js';

export interface BootTargetOptions {
  readonly manifest?: string;
  readonly firmware?: string;
  readonly secureBoot?: boolean;
  readonly tpm?: boolean;
}

export interface BootTarget {
  readonly defaults: BootDefaults;
  readonly arch: GuestArch;
  /** The firmware to boot: --firmware, UEFI for --secure-boot and arm64, else the manifest's. */
  readonly firmware: Firmware;
}

/** Settles the flags before the image is read (a bad flag is reported even for a missing image). */
export function checkFirmwareFlags(opts: BootTargetOptions): Firmware | undefined {
  const firmware = oneOf('--firmware', opts.firmware, ['bios', 'uefi'] as const);
  if (opts.secureBoot && firmware === 'bios') {
    throw new CliExit(EXIT_USAGE, '--secure-boot boots with UEFI; it cannot go with --firmware bios');
  }
  return firmware;
}

export async function bootTarget(
  image: string,
  opts: BootTargetOptions,
  out: Output,
  /** Names the command in the missing-commands message. */
  command: string,
): Promise<BootTarget> {
  const firmware = checkFirmwareFlags(opts);
  try {
    await access(image, constants.R_OK);
  } catch {
    throw new CliExit(EXIT_USAGE, `${image}: no such image (or not readable)`);
  }
  const defaults = opts.manifest ? bootDefaults(await loadForCli(opts.manifest, out)) : NO_MANIFEST_DEFAULTS;
  // Without a manifest, the image says what it is (an arm64 image boots with qemu-system-aarch64).
  const probe = createHostRunner({ log: createNullLogger(), signal: new AbortController().signal });
  const arch = opts.manifest ? defaults.arch : ((await readImageArchitecture(probe, image)) ?? defaults.arch);
  if (arch === 'arm64' && firmware === 'bios') {
    throw new CliExit(EXIT_USAGE, '--firmware bios: arm64 machines boot with UEFI only');
  }
  if (opts.secureBoot && arch !== 'amd64') {
    throw new CliExit(EXIT_USAGE, '--secure-boot: only amd64 images (OVMF with Microsoft keys) for now');
  }
  const needs = new Map(
    ['qemu-img', qemuBinary(arch), 'socat', 'ssh', 'ssh-keygen', ...(opts.tpm ? ['swtpm'] : [])].map((c) => [
      c,
      [command],
    ]),
  );
  const missing = await findMissingCommands(needs);
  if (missing.length > 0) throw new CliExit(EXIT_USAGE, formatMissing(missing), 'ERR_HOST_COMMANDS');
  return {
    defaults,
    arch,
    firmware: opts.secureBoot ? 'uefi' : (firmware ?? (arch === 'arm64' ? 'uefi' : defaults.firmware)),
  };
}

export function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new CliExit(EXIT_USAGE, `${flag}: "${value}" is not one of ${allowed.join(', ')}`);
}

export type GuestResources = { pid?: number; pids?: readonly number[]; dir: string };

/**
 * Ctrl-C, SIGTERM and SIGHUP (the terminal closed) for a command that runs a guest: the first aborts
 * `interrupts.signal` (the orderly stop), a second kills QEMU and swtpm by the PIDs `record` was told
 * and removes the temp dir at once.
 */
export function guestInterrupts(
  out: Output,
  firstMessage: string,
): { interrupts: InterruptHandlers; record: (r: GuestResources) => void } {
  let resources: GuestResources | undefined;
  // SIGHUP counts as SIGTERM: closing the terminal must not leave the temp dir and the journal behind.
  const relay = new EventEmitter();
  const forward = (sig: NodeJS.Signals) => relay.emit(sig === 'SIGHUP' ? 'SIGTERM' : sig, sig);
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const sig of signals) process.on(sig, forward);
  const handlers = installInterruptHandlers({
    target: relay,
    onFirst: (sig) => {
      if (sig !== 'SIGHUP') out.err(firstMessage);
    },
    onSecond: () => {
      // The orderly cleanup is stuck: kill QEMU and swtpm by their PIDs and remove the temp dir right here.
      for (const pid of [resources?.pid, ...(resources?.pids ?? [])]) {
        if (pid === undefined) continue;
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      if (resources) rmSync(resources.dir, { recursive: true, force: true });
    },
  });
  const interrupts: InterruptHandlers = {
    signal: handlers.signal,
    abortRollback: handlers.abortRollback,
    dispose: () => {
      handlers.dispose();
      for (const sig of signals) process.off(sig, forward);
    },
  };
  return {
    interrupts,
    // QEMU's PID and swtpm's arrive separately; keep both.
    record: (r) => {
      resources = { ...resources, ...r, pids: [...(resources?.pids ?? []), ...(r.pids ?? [])] };
    },
  };
}

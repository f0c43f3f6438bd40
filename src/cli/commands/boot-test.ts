/**
 * `bootstrap boot-test IMAGE`: boots a throw-away overlay of the image in QEMU against a local EC2
 * metadata service and checks that it works (login prompt, SSH with the injected key, user-data,
 * grown root, fresh host keys and machine-id, no build-host leftovers). Exit 0 when every check
 * passed, 1 when one failed, 2 for usage errors. Ctrl-C stops QEMU and removes the temp dir.
 */
import { rmSync } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { bootDefaults, NO_MANIFEST_DEFAULTS } from '../../boottest/manifest-defaults.js';
import { formatCheck, runBootTest, writeBootReport, type BootTestReport } from '../../boottest/index.js';
import { ec2ChecksFor } from '../../boottest/ec2-checks.js';
import { readImageArchitecture } from '../../boottest/image-facts.js';
import { qemuBinary } from '../../boottest/qemu-argv.js';
import { installInterruptHandlers } from '../../engine/interrupts.js';
import { findMissingCommands, formatMissing } from '../../host/host-commands.js';
import { createNullLogger } from '../../log/logger.js';
import { createHostRunner } from '../../runner/index.js';
import { CliExit, EXIT_BUILD_FAILED, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { loadForCli } from '../load-for-cli.js';
import type { Output } from '../output.js';

export interface BootTestCommandOptions {
  readonly manifest?: string;
  readonly firmware?: string;
  /** Seconds, as typed. */
  readonly timeout?: string;
  readonly report?: string;
  readonly user?: string;
  readonly imds?: string;
  readonly keep?: boolean;
  readonly requireSsh?: boolean;
  /** UEFI with OVMF's Secure Boot firmware and Microsoft's keys; the guest must show the signed chain. */
  readonly secureBoot?: boolean;
  /** Attach a swtpm TPM 2.0; the guest must see it and a measured boot. */
  readonly tpm?: boolean;
}

export async function bootTestCommand(
  image: string,
  opts: BootTestCommandOptions,
  out: Output,
): Promise<number> {
  const firmware = oneOf('--firmware', opts.firmware, ['bios', 'uefi'] as const);
  const imds = oneOf('--imds', opts.imds, ['v1', 'v2'] as const) ?? 'v1';
  const timeoutSeconds = opts.timeout === undefined ? undefined : Number(opts.timeout);
  if (timeoutSeconds !== undefined && !(Number.isFinite(timeoutSeconds) && timeoutSeconds > 0)) {
    throw new CliExit(EXIT_USAGE, `--timeout: "${opts.timeout}" is not a number of seconds`);
  }
  if (opts.secureBoot && firmware === 'bios') {
    throw new CliExit(EXIT_USAGE, '--secure-boot boots with UEFI; it cannot go with --firmware bios');
  }
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
  const ec2Checks = ec2ChecksFor(defaults.ec2);
  const needs = new Map(
    ['qemu-img', qemuBinary(arch), 'socat', 'ssh', 'ssh-keygen', ...(opts.tpm ? ['swtpm'] : [])].map((c) => [
      c,
      ['boot-test'],
    ]),
  );
  const missing = await findMissingCommands(needs);
  if (missing.length > 0) throw new CliExit(EXIT_USAGE, formatMissing(missing), 'ERR_HOST_COMMANDS');

  let resources: { pid?: number; pids?: readonly number[]; dir: string } | undefined;
  const interrupts = installInterruptHandlers({
    onFirst: () => out.err('\ninterrupted: stopping QEMU and removing the temp dir (Ctrl-C again to force)'),
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
  const runner = createHostRunner({ log: createNullLogger(), signal: interrupts.signal });
  let report: BootTestReport;
  try {
    report = await runBootTest({
      image,
      runner,
      arch,
      firmware: opts.secureBoot ? 'uefi' : (firmware ?? (arch === 'arm64' ? 'uefi' : defaults.firmware)),
      ...(opts.secureBoot ? { secureBoot: true } : {}),
      ...(opts.tpm ? { tpm: true } : {}),
      ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
      user: opts.user ?? defaults.user,
      imds,
      imageClaimsImdsV2: defaults.imageClaimsImdsV2,
      // An EC2 image (--manifest with provider ec2) also gets the EC2 guest checks.
      ...(ec2Checks ? { guestChecks: ec2Checks } : {}),
      ...(opts.requireSsh
        ? { expectSsh: true }
        : defaults.expectSsh !== undefined
          ? { expectSsh: defaults.expectSsh }
          : {}),
      ...(opts.keep ? { keep: true } : {}),
      signal: interrupts.signal,
      onCheck: (c) => out.out(formatCheck(c)),
      onStatus: (m) => out.err(m),
      onResources: (r) => {
        // QEMU's PID and swtpm's arrive separately; keep both.
        resources = { ...resources, ...r, pids: [...(resources?.pids ?? []), ...(r.pids ?? [])] };
      },
    });
  } catch (error) {
    if (interrupts.signal.aborted) {
      out.err(`boot-test interrupted; QEMU${opts.tpm ? ' and swtpm' : ''} stopped, temp dir removed`);
      return EXIT_BUILD_FAILED;
    }
    throw error;
  } finally {
    interrupts.dispose();
  }

  const reportFile = opts.report
    ? resolve(opts.report)
    : report.workDir
      ? join(report.workDir, 'report.json')
      : undefined;
  if (reportFile) await writeBootReport(reportFile, report);
  const count = (s: string) => report.checks.filter((c) => c.status === s).length;
  const times = [
    report.timeToLoginPrompt !== null ? `login prompt ${report.timeToLoginPrompt}s` : undefined,
    report.timeToSsh !== null ? `SSH ${report.timeToSsh}s` : undefined,
  ].filter(Boolean);
  out.err(
    `boot-test ${report.ok ? 'passed' : 'FAILED'}: ${count('pass')} passed, ${count('fail')} failed, ` +
      `${count('skipped')} did not apply ` +
      `in ${report.seconds}s (${report.accel}${times.length ? ', ' + times.join(', ') : ''})`,
  );
  for (const na of report.notApplicable) out.err(`  ${na.name}: ${na.reason}`);
  if (report.serialLog) out.err(`serial log: ${report.serialLog}`);
  if (reportFile) out.err(`report: ${reportFile}`);
  return report.ok ? EXIT_OK : EXIT_BUILD_FAILED;
}

function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new CliExit(EXIT_USAGE, `${flag}: "${value}" is not one of ${allowed.join(', ')}`);
}

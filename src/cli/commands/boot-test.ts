/**
 * `bootstrap boot-test IMAGE`: boots a throw-away overlay of the image in QEMU against a local EC2
 * metadata service and checks that it works (login prompt, SSH with the injected key, user-data,
 * grown root, fresh host keys and machine-id, no build-host leftovers). Exit 0 when every check
 * passed, 1 when one failed, 2 for usage errors. Ctrl-C stops QEMU and removes the temp dir.
 */
import { join, resolve } from 'node:path';
import { formatCheck, runBootTest, writeBootReport, type BootTestReport } from '../../boottest/index.js';
import { ec2ChecksFor } from '../../boottest/ec2-checks.js';
import { createNullLogger } from '../../log/logger.js';
import { createHostRunner } from '../../runner/index.js';
import { CliExit, EXIT_BUILD_FAILED, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import type { Output } from '../output.js';
import { bootTarget, checkFirmwareFlags, guestInterrupts, oneOf } from './boot-target.js';

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
  checkFirmwareFlags(opts);
  const imds = oneOf('--imds', opts.imds, ['v1', 'v2'] as const) ?? 'v1';
  const timeoutSeconds = opts.timeout === undefined ? undefined : Number(opts.timeout);
  if (timeoutSeconds !== undefined && !(Number.isFinite(timeoutSeconds) && timeoutSeconds > 0)) {
    throw new CliExit(EXIT_USAGE, `--timeout: "${opts.timeout}" is not a number of seconds`);
  }
  const { defaults, arch, firmware } = await bootTarget(image, opts, out, 'boot-test');
  const ec2Checks = ec2ChecksFor(defaults.ec2);

  const { interrupts, record } = guestInterrupts(
    out,
    '\ninterrupted: stopping QEMU and removing the temp dir (Ctrl-C again to force)',
  );
  const runner = createHostRunner({ log: createNullLogger(), signal: interrupts.signal });
  let report: BootTestReport;
  try {
    report = await runBootTest({
      image,
      runner,
      arch,
      firmware,
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
      onResources: record,
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

/** The boot test's JSON report, and how one check reads on the terminal. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CheckResult } from './checks.js';
import type { ImdsRequest } from './imds-server.js';
import type { Accel, Firmware } from './qemu-argv.js';

export interface BootTestReport {
  readonly image: string;
  readonly firmware: Firmware;
  /** Booted with OVMF's Secure Boot firmware and Microsoft's keys. */
  readonly secureBoot?: boolean;
  /** Booted with a swtpm TPM 2.0 attached. */
  readonly tpm?: boolean;
  readonly accel: Accel;
  /** Wall time of the whole test. */
  readonly seconds: number;
  /** Seconds from QEMU start to a login prompt on the serial console, null if none came. */
  readonly timeToLoginPrompt: number | null;
  /** Seconds from QEMU start to the first successful SSH login, null if none. */
  readonly timeToSsh: number | null;
  readonly user: string;
  readonly imds: 'v1' | 'v2';
  readonly checks: readonly CheckResult[];
  /** The checks that did not apply to this image (status `skipped`), and why. */
  readonly notApplicable: readonly { readonly name: string; readonly reason: string }[];
  readonly imdsRequests: readonly ImdsRequest[];
  /** The serial console log, when it was kept (failed runs, --keep). */
  readonly serialLog?: string;
  /** The run's temporary directory, when it was kept. */
  readonly workDir?: string;
  readonly ok: boolean;
}

export function passed(checks: readonly CheckResult[]): boolean {
  return checks.length > 0 && checks.every((c) => c.status !== 'fail');
}

export function formatCheck(c: CheckResult): string {
  // A skipped check is one that does not apply to the image.
  const mark = c.status === 'pass' ? 'PASS' : c.status === 'fail' ? 'FAIL' : 'N/A ';
  return `${mark} ${c.name.padEnd(22)} ${c.seconds.toFixed(1).padStart(6)}s  ${c.detail}`;
}

export async function writeBootReport(file: string, report: BootTestReport): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(report, null, 2) + '\n');
}

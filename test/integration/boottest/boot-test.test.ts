/**
 * Boots a real image with `boot-test` under TCG (BIOS, and UEFI when the image has an EFI system
 * partition) and requires every check to pass and the image to be unchanged; then a copy with a broken
 * fstab root UUID must fail with the failing check named. Needs root, qemu and an image:
 *   BOOT_TEST_IMAGE=/path/image.raw [BOOT_TEST_MANIFEST=manifest.yml] [BOOT_TEST_USER=admin]
 * (the lead's build integration test calls the same module on the image it built).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runBootTest, type BootTestReport } from '../../../src/boottest/index.js';
import { bootTestCommand } from '../../../src/cli/commands/boot-test.js';
import { createNullLogger } from '../../../src/log/logger.js';
import { createHostRunner } from '../../../src/runner/index.js';
import { copyWithBrokenFstab } from './break-fstab.js';

const image = process.env['BOOT_TEST_IMAGE'];
const manifest = process.env['BOOT_TEST_MANIFEST'];
const user = process.env['BOOT_TEST_USER'];
const skip =
  process.getuid?.() !== 0
    ? 'needs root'
    : !existsSync('/usr/bin/qemu-system-x86_64')
      ? 'needs qemu-system-x86_64'
      : !image
        ? 'set BOOT_TEST_IMAGE to a bootable raw image (e.g. a build of manifests/debian-qemu.yml)'
        : false;

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function fingerprint(file: string) {
  const s = await stat(file);
  return { size: s.size, mtimeMs: s.mtimeMs, sha256: await sha256(file) };
}

function hasEsp(file: string): boolean {
  const json = execFileSync('sfdisk', ['--json', file], { encoding: 'utf8' });
  return /C12A7328-F81F-11D2-BA4B-00A0C93EC93B/i.test(json);
}

function summary(r: BootTestReport): string {
  return r.checks.map((c) => `${c.status} ${c.name}: ${c.detail}`).join('\n');
}

async function leftovers(): Promise<string[]> {
  const dirs = (await readdir(tmpdir())).filter((n) => n.startsWith('boot-test-'));
  let qemu = '';
  try {
    qemu = execFileSync('pgrep', ['-a', 'qemu-system'], { encoding: 'utf8' });
  } catch {
    // pgrep exits 1 when nothing matches
  }
  return [...dirs, ...qemu.split('\n').filter(Boolean)];
}

describe('boot-test against a real image', { skip, timeout: 20 * 60_000 }, () => {
  const runner = createHostRunner({ log: createNullLogger(), signal: new AbortController().signal });
  let work: string;
  let before_: Awaited<ReturnType<typeof fingerprint>>;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'boot-test-it-'));
    before_ = await fingerprint(image ?? '');
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  for (const firmware of ['bios', 'uefi'] as const) {
    it(`passes every check with ${firmware} and leaves the image untouched`, async (t) => {
      if (firmware === 'uefi' && !hasEsp(image ?? '')) return t.skip('the image has no EFI system partition');
      const before = await leftovers();
      const reportFile = join(work, `${firmware}.json`);
      const lines: string[] = [];
      const out = { color: false, out: (s: string) => lines.push(s), err: (s: string) => lines.push(s) };
      const code = await bootTestCommand(
        image ?? '',
        { firmware, report: reportFile, ...(manifest ? { manifest } : {}), ...(user ? { user } : {}) },
        out,
      );
      const report = JSON.parse(await readFile(reportFile, 'utf8')) as BootTestReport;
      t.diagnostic(
        `${firmware}: login prompt ${report.timeToLoginPrompt}s, SSH ${report.timeToSsh}s, total ${report.seconds}s`,
      );
      assert.equal(code, 0, lines.join('\n'));
      assert.ok(report.ok);
      assert.equal(report.checks.find((c) => c.name === 'login-prompt')?.status, 'pass');
      assert.equal(report.checks.filter((c) => c.status === 'fail').length, 0, summary(report));
      assert.deepEqual(await fingerprint(image ?? ''), before_, 'the image under test was modified');
      assert.deepEqual(await leftovers(), before, 'a temp dir or qemu process was left behind');
    });
  }

  it('fails a copy whose fstab names a root UUID that does not exist, naming the check', async (t) => {
    const broken = await copyWithBrokenFstab(image ?? '', work);
    const report = await runBootTest({
      image: broken,
      runner,
      timeoutSeconds: 420,
      ...(user ? { user } : {}),
    });
    // The kept serial log goes with the test, whatever the assertions say.
    t.after(() => rm(report.workDir ?? '', { recursive: true, force: true }));
    t.diagnostic(
      `broken copy: ${report.checks
        .filter((c) => c.status === 'fail')
        .map((c) => `${c.name}: ${c.detail}`)
        .join(' | ')}`,
    );
    assert.equal(report.ok, false);
    const failed = report.checks.filter((c) => c.status === 'fail').map((c) => c.name);
    assert.ok(
      ['fstab-valid', 'no-failed-units', 'no-root-device-errors', 'login-prompt'].some((n) =>
        failed.includes(n),
      ),
      `expected a root device failure, got:\n${summary(report)}`,
    );
    assert.match(
      summary(report),
      /unreachable on boot required source: UUID=00000000-dead-beef|Failed to start|Timed out waiting for device|emergency mode|does not exist/,
    );
    // A failed run keeps its serial log (and nothing else of size) for the user to read.
    assert.ok(report.serialLog && existsSync(report.serialLog));
    assert.equal(existsSync(join(report.workDir ?? '', 'overlay.qcow2')), false);
    assert.deepEqual(await fingerprint(image ?? ''), before_);
  });
});

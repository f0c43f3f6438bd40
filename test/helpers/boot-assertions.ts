/** Assertions over a boot-test report, shared by the integration tests that boot images. */
import assert from 'node:assert/strict';
import type { BootTestReport } from '../../src/boottest/index.js';

/** No check other than `pass`, and each of `required` present and passed. */
export function assertPassed(report: BootTestReport, required: readonly string[]): void {
  const detail = JSON.stringify(report.checks, null, 2);
  assert.deepEqual(
    report.checks.filter((c) => c.status !== 'pass'),
    [],
    detail,
  );
  for (const name of required)
    assert.ok(
      report.checks.some((c) => c.name === name && c.status === 'pass'),
      `${name} missing or not passed:\n${detail}`,
    );
}

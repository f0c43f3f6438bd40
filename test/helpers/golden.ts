/**
 * Golden files: text a test produces, kept in git under test/fixtures so that a change shows up in
 * review. `UPDATE_GOLDEN=1` rewrites them instead of comparing (then review and commit the diff).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Compares `text` with the golden file, or rewrites it under UPDATE_GOLDEN=1. `what` names it. */
export function assertGolden(golden: string, text: string, what: string, testFile: string): void {
  if (process.env['UPDATE_GOLDEN'] === '1') {
    mkdirSync(dirname(golden), { recursive: true });
    writeFileSync(golden, text);
    return;
  }
  assert.ok(existsSync(golden), `${golden} is missing: rerun ${testFile} with UPDATE_GOLDEN=1`);
  assert.equal(
    text,
    readFileSync(golden, 'utf8'),
    `${what} changed; if that is intended, rerun ${testFile} with UPDATE_GOLDEN=1 and commit ${golden}`,
  );
}

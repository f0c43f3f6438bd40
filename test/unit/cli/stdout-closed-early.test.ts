import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

test('a reader that closes stdout early (bootstrap schema | head) ends the CLI quietly with 0', () => {
  // The shell's pipe: `head -c 1` exits after one byte, the CLI's next write meets EPIPE.
  const r = spawnSync(
    'sh',
    ['-c', `"${process.execPath}" --import tsx src/cli/main.ts schema | head -c 1 >/dev/null`],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /EPIPE|Error|at /, r.stderr);
});

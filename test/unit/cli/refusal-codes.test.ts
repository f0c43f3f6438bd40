import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { CliExit, EXIT_BUILD_FAILED, EXIT_USAGE, withErrorCode } from '../../../src/cli/exit-codes.js';
import { runCli } from '../../helpers/run-cli.js';

it('puts a refusal’s code after the first line of its message; usage errors default to ERR_USAGE', () => {
  assert.equal(
    withErrorCode(new CliExit(EXIT_USAGE, 'm.yml: 2 errors; nothing was built', 'ERR_MANIFEST')),
    'm.yml: 2 errors; nothing was built [ERR_MANIFEST]',
  );
  assert.equal(
    withErrorCode(
      new CliExit(EXIT_USAGE, 'm.yml: the task graph cannot be ordered:\n  a -> b -> a', 'ERR_PLAN'),
    ),
    'm.yml: the task graph cannot be ordered: [ERR_PLAN]\n  a -> b -> a',
  );
  assert.equal(
    withErrorCode(new CliExit(EXIT_USAGE, '--timeout: "x" is not a number')),
    '--timeout: "x" is not a number [ERR_USAGE]',
  );
  assert.equal(withErrorCode(new CliExit(EXIT_BUILD_FAILED, 'boot test failed')), 'boot test failed');
});

it('a manifest with errors ends with [ERR_MANIFEST] and exit 2 through the CLI', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'refusal-codes-'));
  try {
    const file = join(dir, 'broken.yml');
    writeFileSync(file, 'name: x\nprovider: {name: kvm}\n');
    const r = await runCli(['validate', file, '--offline']);
    assert.equal(r.status, EXIT_USAGE, r.stderr);
    assert.match(r.stderr, /nothing was built \[ERR_MANIFEST\]\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

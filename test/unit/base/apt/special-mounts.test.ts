import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandError, type CommandResult, type RunOptions } from '../../../../src/api/index.js';
import { withSpecialMounts } from '../../../../src/base/apt/special-mounts.js';
import { tempDir, testContext, TestRunner } from '../../../helpers/fake-context.js';

test('withSpecialMounts unmounts in reverse order when fn throws, and rethrows fn error', async () => {
  const dir = await tempDir();
  try {
    const runner = new TestRunner();
    const ctx = testContext({ runner });
    await assert.rejects(
      withSpecialMounts(ctx, dir.path, async () => {
        throw new Error('apt failed');
      }),
      /apt failed/,
    );
    const umounts = runner.lines().filter((l) => l.startsWith('umount'));
    assert.deepEqual(
      umounts,
      ['dev/pts', 'dev', 'sys', 'proc'].map((p) => `umount ${dir.path}/${p}`),
    );
  } finally {
    await dir.cleanup();
  }
});

test('a mount that fails half-way unmounts only what was mounted; a busy unmount falls back to lazy', async () => {
  const dir = await tempDir();
  try {
    const runner = new (class extends TestRunner {
      override async run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
        const r = await super.run(argv, options);
        if (argv.includes('devpts'))
          throw new CommandError(argv, 32, 'mount: permission denied', 'exit code 32');
        if (argv[0] === 'umount' && argv[1]?.endsWith('/sys'))
          throw new CommandError(argv, 32, 'target is busy', 'exit code 32');
        return r;
      }
    })();
    const ctx = testContext({ runner });
    let ran = false;
    await assert.rejects(
      withSpecialMounts(ctx, dir.path, async () => {
        ran = true;
      }),
      /permission denied/,
    );
    assert.equal(ran, false);
    assert.deepEqual(
      runner.lines().filter((l) => l.startsWith('umount')),
      [
        `umount ${dir.path}/dev`,
        `umount ${dir.path}/sys`,
        `umount --lazy ${dir.path}/sys`,
        `umount ${dir.path}/proc`,
      ],
    );
    assert.ok(ctx.logs.some((l) => l.startsWith('warn:') && l.includes('/sys')));
  } finally {
    await dir.cleanup();
  }
});

test('withSpecialMounts returns the value of fn', async () => {
  const dir = await tempDir();
  try {
    assert.equal(await withSpecialMounts(testContext({}), dir.path, async () => 42), 42);
  } finally {
    await dir.cleanup();
  }
});

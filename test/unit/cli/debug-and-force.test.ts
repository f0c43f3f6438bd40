/**
 * Issue 16, item 9: the crash hint ("rerun with --debug for a stack trace") names an option every
 * command accepts, and `build --force` exists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeProgram } from '../../../src/cli/main.js';

test('every command accepts --debug, which the internal-error hint tells the user to add', async () => {
  const program = makeProgram(() => {});
  const names = program.commands.map((c) => c.name()).sort();
  assert.deepEqual(names, [
    'boot-test',
    'build',
    'cleanup',
    'doctor',
    'plan',
    'run',
    'schema',
    'unbundle',
    'validate',
  ]);
  for (const command of program.commands) {
    assert.ok(
      command.options.some((o) => o.long === '--debug'),
      `bootstrap ${command.name()} --debug is accepted`,
    );
  }
});

test('build --force: replace an existing output once the new image is complete', async () => {
  let seen: unknown;
  const program = makeProgram(() => {});
  const build = program.commands.find((c) => c.name() === 'build');
  assert.ok(build?.options.some((o) => o.long === '--force'));
  // commander parses it (no "unknown option"); the action is not run here.
  build?.action((_manifest: string, o: Record<string, unknown>) => {
    seen = o['force'];
  });
  await program.parseAsync(['build', 'x.yml', '--force', '--debug'], { from: 'user' });
  assert.equal(seen, true);
});

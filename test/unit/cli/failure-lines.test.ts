/**
 * What `bootstrap build` prints when a build did not succeed (src/cli/failure-lines.ts), from real
 * runPlan results: a task's hint reaches the terminal, and an unexpected exception is reported as a
 * bug with the task id, a pointer to --debug and exit 3.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BuildError, type Task } from '../../../src/api/index.js';
import { failureReport } from '../../../src/cli/failure-lines.js';
import { EXIT_BUILD_FAILED, EXIT_INTERNAL } from '../../../src/cli/exit-codes.js';
import { runPlan } from '../../../src/engine/run-plan.js';
import { createRecordingFs } from '../../../src/runner/build-fs.js';
import { createRecordingRunner } from '../../../src/runner/recording-runner.js';
import { baseManifestData, testManifest } from '../../helpers/fake-context.js';

function failing(id: string, error: () => unknown): Task {
  return {
    id,
    phase: 'preparation',
    description: id,
    async run() {
      throw error();
    },
  };
}

async function resultOf(task: Task) {
  return runPlan(
    { tasks: [{ task, plugin: task.id.split('/')[0] ?? '' }] },
    {
      manifest: testManifest(baseManifestData),
      workspace: '/tmp/ws-failure-lines-test',
      runner: createRecordingRunner(),
      fs: createRecordingFs(),
      events: { emit: () => {} },
      signal: new AbortController().signal,
      dryRun: false,
    },
  );
}

describe('failureReport', () => {
  it('prints a BuildError’s code and hint on the terminal, exit 1', async () => {
    const result = await resultOf(
      failing('demo/write-image', () => new BuildError('/out/img.raw exists', 'remove it or pass --force')),
    );
    const report = failureReport(result, { name: 'img', debug: false, logFile: '/var/log/b.log' });
    assert.deepEqual(report.lines, [
      'img: build failed in demo/write-image: /out/img.raw exists [ERR_TASK_FAILED]',
      'hint: remove it or pass --force',
      'log: /var/log/b.log',
    ]);
    assert.equal(report.exitCode, EXIT_BUILD_FAILED);
  });

  it('reports a TypeError inside a task as a bug with the task id and --debug, exit 3', async () => {
    const result = await resultOf(
      failing('demo/broken', () => new TypeError("Cannot read properties of undefined (reading 'size')")),
    );
    const report = failureReport(result, { name: 'img', debug: false, logFile: '/var/log/b.log' });
    assert.deepEqual(report.lines, [
      "img: internal error in task demo/broken: TypeError: Cannot read properties of undefined (reading 'size') [ERR_INTERNAL]",
      'this is a bug in bootstrap, not a problem with the manifest or this host; the build was rolled back',
      'rerun with --debug for the stack trace (it is also in /var/log/b.log), and report it',
    ]);
    assert.equal(report.exitCode, EXIT_INTERNAL);
    assert.notEqual(EXIT_INTERNAL, EXIT_BUILD_FAILED);
  });

  it('with --debug, points at the stack trace already shown', async () => {
    const result = await resultOf(failing('demo/broken', () => new RangeError('Invalid array length')));
    const report = failureReport(result, { name: 'img', debug: true });
    assert.equal(report.lines.at(-1), 'the stack trace is above; please report it with the manifest');
    assert.equal(report.exitCode, EXIT_INTERNAL);
  });

  it('keeps a plain Error a build failure, and says what the rollback left', async () => {
    const result = await resultOf(failing('demo/plain', () => new Error('no certificate for region xx-1')));
    const report = failureReport(
      {
        ...result,
        rollback: { ok: false, undone: [], failed: [{ id: 'demo/plain', error: 'busy' }], leftUndone: [] },
      },
      { name: 'img', debug: false },
    );
    assert.deepEqual(report.lines, [
      'img: build failed in demo/plain: no certificate for region xx-1 [ERR_TASK_FAILED]',
      'rollback incomplete: demo/plain',
    ]);
    assert.equal(report.exitCode, EXIT_BUILD_FAILED);
  });
});

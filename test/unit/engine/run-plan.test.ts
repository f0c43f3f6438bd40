import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BuildEvent, Phase, Task, TaskContext } from '../../../src/api/index.js';
import { stateKey } from '../../../src/api/index.js';
import { runPlan, type RunPlanOptions } from '../../../src/engine/run-plan.js';
import type { Plan } from '../../../src/graph/resolve-plan.js';
import { createNullLogger } from '../../../src/log/logger.js';
import { createHostRunner } from '../../../src/runner/host-runner.js';
import { createRecordingFs } from '../../../src/runner/build-fs.js';
import { createRecordingRunner } from '../../../src/runner/recording-runner.js';
import { baseManifestData, testManifest } from '../../helpers/fake-context.js';

type Journal = string[];

function step(
  id: string,
  journal: Journal,
  opts: {
    phase?: Phase;
    fail?: boolean;
    undo?: boolean | 'throw';
    run?: (ctx: TaskContext) => Promise<void>;
  } = {},
): Task {
  return {
    id,
    phase: opts.phase ?? 'preparation',
    description: `step ${id}`,
    async run(ctx) {
      journal.push(`run ${id}`);
      await opts.run?.(ctx);
      if (opts.fail) throw new Error(`${id} broke`);
    },
    ...(opts.undo === false
      ? {}
      : {
          async undo() {
            journal.push(`undo ${id}`);
            if (opts.undo === 'throw') throw new Error(`undo of ${id} broke`);
          },
        }),
  };
}

const planOf = (...tasks: Task[]): Plan => ({
  tasks: tasks.map((task) => ({ task, plugin: task.id.split('/')[0] ?? '' })),
});

function options(overrides: Partial<RunPlanOptions> = {}): RunPlanOptions & { seen: BuildEvent[] } {
  const seen: BuildEvent[] = [];
  return {
    manifest: testManifest(baseManifestData),
    workspace: '/tmp/ws-engine-test',
    runner: createRecordingRunner(),
    fs: createRecordingFs(),
    events: { emit: (e) => seen.push(e) },
    signal: new AbortController().signal,
    dryRun: false,
    seen,
    ...overrides,
  };
}

describe('runPlan', () => {
  it('runs every task in order and reports success with events', async () => {
    const journal: Journal = [];
    const opts = options();
    const result = await runPlan(
      planOf(step('a/one', journal), step('a/two', journal, { phase: 'cleaning' })),
      opts,
    );
    assert.equal(result.status, 'success');
    assert.deepEqual(journal, ['run a/one', 'run a/two']);
    assert.equal(result.rollback, undefined);
    assert.deepEqual(
      result.tasks.map((t) => [t.id, t.phase, t.plugin, t.status]),
      [
        ['a/one', 'preparation', 'a', 'ok'],
        ['a/two', 'cleaning', 'a', 'ok'],
      ],
    );
    assert.deepEqual(
      opts.seen.map((e) => e.type),
      ['plan', 'phase-start', 'task-start', 'task-end', 'phase-start', 'task-start', 'task-end'],
    );
    assert.ok(result.endedAt >= result.startedAt);
  });

  it('rolls back in reverse start order, including the failing task, and skips the rest', async () => {
    const journal: Journal = [];
    const result = await runPlan(
      planOf(
        step('a/one', journal),
        step('a/no-undo', journal, { undo: false }),
        step('a/two', journal),
        step('a/three', journal, { fail: true }),
        step('a/four', journal),
      ),
      options(),
    );
    assert.equal(result.status, 'failed');
    assert.equal(result.failedTask, 'a/three');
    assert.match(String(result.error), /a\/three broke/);
    assert.deepEqual(journal, [
      'run a/one',
      'run a/no-undo',
      'run a/two',
      'run a/three',
      'undo a/three',
      'undo a/two',
      'undo a/one',
    ]);
    assert.deepEqual(result.rollback, {
      ok: true,
      undone: ['a/three', 'a/two', 'a/one'],
      failed: [],
      leftUndone: [],
    });
    assert.deepEqual(
      result.tasks.map((t) => t.status),
      ['ok', 'ok', 'ok', 'failed', 'not-run'],
    );
  });

  it('keeps rolling back when an undo throws, and reports it', async () => {
    const journal: Journal = [];
    const opts = options();
    const result = await runPlan(
      planOf(
        step('a/one', journal),
        step('a/two', journal, { undo: 'throw' }),
        step('a/three', journal, { fail: true }),
      ),
      opts,
    );
    assert.deepEqual(journal.slice(3), ['undo a/three', 'undo a/two', 'undo a/one']);
    assert.equal(result.rollback?.ok, false);
    assert.deepEqual(result.rollback?.undone, ['a/three', 'a/one']);
    assert.equal(result.rollback?.failed[0]?.id, 'a/two');
    assert.ok(
      opts.seen.some(
        (e) =>
          e.type === 'undo' && e.id === 'a/two' && e.status === 'failed' && e.error === 'undo of a/two broke',
      ),
    );
    assert.ok(opts.seen.some((e) => e.type === 'rollback-end' && !e.ok));
  });

  it('awaits pauseBeforeRollback before the first undo', async () => {
    const journal: Journal = [];
    const result = await runPlan(
      planOf(step('a/one', journal), step('a/two', journal, { fail: true })),
      options({
        pauseBeforeRollback: async () => {
          await new Promise((r) => setTimeout(r, 20));
          journal.push('paused');
        },
      }),
    );
    assert.equal(result.status, 'failed');
    assert.deepEqual(journal, ['run a/one', 'run a/two', 'paused', 'undo a/two', 'undo a/one']);
  });

  it('stops the rollback when abortRollback fires and reports what was left undone', async () => {
    const journal: Journal = [];
    const abortRollback = new AbortController();
    const stopper: Task = {
      ...step('a/two', journal),
      async undo(ctx) {
        journal.push('undo a/two');
        abortRollback.abort();
        assert.equal(ctx.signal.aborted, true, 'the undo signal follows abortRollback');
      },
    };
    const result = await runPlan(
      planOf(
        step('a/zero', journal),
        step('a/one', journal),
        stopper,
        step('a/three', journal, { fail: true }),
      ),
      options({ abortRollback: abortRollback.signal }),
    );
    assert.deepEqual(journal.slice(4), ['undo a/three', 'undo a/two']);
    assert.deepEqual(result.rollback, {
      ok: false,
      undone: ['a/three', 'a/two'],
      failed: [],
      leftUndone: ['a/one', 'a/zero'],
    });
  });

  it('on interrupt stops starting tasks, and undo gets a signal that is not the aborted one', async () => {
    const journal: Journal = [];
    const build = new AbortController();
    const undoSignals: boolean[] = [];
    const interruptible: Task = {
      id: 'a/long',
      phase: 'preparation',
      description: 'waits for the signal',
      run: (ctx) =>
        new Promise((_, reject) => {
          journal.push('run a/long');
          ctx.signal.addEventListener('abort', () => reject(new Error('cancelled')), { once: true });
          setTimeout(() => build.abort(new Error('interrupted by SIGINT')), 10);
        }),
      async undo(ctx) {
        undoSignals.push(ctx.signal.aborted);
        await ctx.runner.run(['umount', '/x']);
        journal.push('undo a/long');
      },
    };
    const runner = createRecordingRunner();
    const result = await runPlan(
      planOf(step('a/first', journal), interruptible, step('a/never', journal)),
      options({ signal: build.signal, runner }),
    );
    assert.equal(result.status, 'interrupted');
    assert.equal(result.failedTask, 'a/long');
    assert.deepEqual(journal, ['run a/first', 'run a/long', 'undo a/long', 'undo a/first']);
    assert.deepEqual(undoSignals, [false]);
    assert.deepEqual(runner.lines(), ['umount /x']);
    assert.equal(result.tasks[2]?.status, 'not-run');
  });

  it('with the host runner, cancels the running command and still runs undo commands after the abort', async () => {
    const build = new AbortController();
    const runner = createHostRunner({ log: createNullLogger(), signal: build.signal, killGraceMs: 500 });
    const undoOutput: string[] = [];
    const task: Task = {
      id: 'a/sleep',
      phase: 'preparation',
      description: 'sleeps',
      async run(ctx) {
        setTimeout(() => build.abort(new Error('interrupted by SIGINT')), 100);
        await ctx.runner.run(['sleep', '30']);
      },
      async undo(ctx) {
        undoOutput.push((await ctx.runner.run(['echo', 'undone'])).stdout);
      },
    };
    const started = Date.now();
    const result = await runPlan(planOf(task), options({ signal: build.signal, runner }));
    assert.ok(Date.now() - started < 3000);
    assert.equal(result.status, 'interrupted');
    assert.match(String(result.error), /canceled/);
    assert.deepEqual(undoOutput, ['undone']);
    assert.equal(result.rollback?.ok, true);
  });

  it('reports an interrupt that lands between tasks', async () => {
    const journal: Journal = [];
    const build = new AbortController();
    const result = await runPlan(
      planOf(
        step('a/one', journal, { run: async () => build.abort(new Error('interrupted by SIGTERM')) }),
        step('a/two', journal),
      ),
      options({ signal: build.signal }),
    );
    assert.equal(result.status, 'interrupted');
    assert.equal(result.failedTask, undefined);
    assert.match(String(result.error), /SIGTERM/);
    assert.deepEqual(journal, ['run a/one', 'undo a/one']);
  });

  it('shares one state, and forwards log, progress and artifacts as events', async () => {
    const key = stateKey<string[]>('test/list', () => []);
    const opts = options();
    const result = await runPlan(
      planOf(
        step('a/one', [], {
          run: async (ctx) => {
            ctx.state.get(key).push('one');
            ctx.log('info', 'hello');
            ctx.progress(5, 10, 'MiB');
          },
        }),
        step('a/two', [], {
          run: async (ctx) => {
            ctx.state.get(key).push('two');
            assert.deepEqual(ctx.state.get(key), ['one', 'two']);
            assert.equal(ctx.taskId, 'a/two');
            ctx.addArtifact({ kind: 'image', path: '/out/disk.raw' });
          },
        }),
      ),
      opts,
    );
    assert.equal(result.status, 'success');
    assert.deepEqual(result.artifacts, [{ kind: 'image', path: '/out/disk.raw' }]);
    const types = opts.seen.filter((e) => ['log', 'progress', 'artifact'].includes(e.type));
    assert.deepEqual(types, [
      { type: 'log', level: 'info', message: 'hello', task: 'a/one' },
      { type: 'progress', id: 'a/one', done: 5, total: 10, unit: 'MiB' },
      { type: 'artifact', artifact: { kind: 'image', path: '/out/disk.raw' } },
    ]);
  });

  it('in a dry run with the recording runner and fs, records commands and touches nothing', async () => {
    const runner = createRecordingRunner();
    const fs = createRecordingFs();
    const target = `/tmp/engine-dry-run-${process.pid}`;
    const task: Task = {
      id: 'a/make',
      phase: 'volume-creation',
      description: 'makes things',
      async run(ctx) {
        assert.equal(ctx.dryRun, true);
        await ctx.fs.mkdir(target);
        await ctx.fs.writeFile(`${target}/file`, 'x');
        const { stdout } = await ctx.runner.run(['losetup', '--show', '-f', `${target}/file`], {
          dryRunResult: { stdout: '/dev/loop9' },
        });
        await ctx.runner.run(['rm', '-rf', '/']);
        await ctx.runner.chroot(target, ['true']);
        assert.equal(stdout, '/dev/loop9');
      },
    };
    const result = await runPlan(planOf(task), options({ runner, fs, dryRun: true }));
    assert.equal(result.status, 'success');
    assert.deepEqual(runner.lines(), [
      `losetup --show -f ${target}/file`,
      'rm -rf /',
      `[chroot ${target}] true`,
    ]);
    assert.deepEqual(
      fs.operations.map((o) => o.op),
      ['mkdir', 'writeFile'],
    );
    const { stat } = await import('node:fs/promises');
    assert.equal(await stat(target).catch(() => 'absent'), 'absent');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Phase, Task } from '../../../src/api/index.js';
import { PlanError, resolvePlan, type Plan } from '../../../src/graph/resolve-plan.js';

function task(id: string, phase: Phase, edges: { after?: string[]; before?: string[] } = {}): Task {
  return { id, phase, description: `do ${id}`, ...edges, run: async () => {} };
}

function resolve(tasks: Task[], extraKnown: string[] = []): Plan {
  return resolvePlan({
    tasks,
    knownIds: new Set([...tasks.map((t) => t.id), ...extraKnown]),
    pluginOf: new Map(tasks.map((t) => [t.id, t.id.split('/')[0] ?? ''])),
  });
}

const ids = (plan: Plan) => plan.tasks.map((p) => p.task.id);

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof PlanError, `expected PlanError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail('expected a PlanError');
}

describe('resolvePlan', () => {
  it('orders by phase first, whatever the input order', () => {
    const plan = resolve([
      task('a/clean', 'cleaning'),
      task('a/mount', 'volume-mounting'),
      task('a/check', 'validation'),
      task('a/bootstrap', 'os-installation'),
    ]);
    assert.deepEqual(ids(plan), ['a/check', 'a/mount', 'a/bootstrap', 'a/clean']);
  });

  it('breaks ties within a phase by id', () => {
    const plan = resolve([
      task('z/x', 'preparation'),
      task('a/y', 'preparation'),
      task('m/z', 'preparation'),
    ]);
    assert.deepEqual(ids(plan), ['a/y', 'm/z', 'z/x']);
  });

  it('honours after and before edges within a phase', () => {
    const plan = resolve([
      task('a/first', 'system-modification', { after: ['z/second'] }),
      task('z/second', 'system-modification'),
      task('m/third', 'system-modification', { before: ['b/fourth'] }),
      task('b/fourth', 'system-modification'),
    ]);
    assert.deepEqual(ids(plan), ['m/third', 'b/fourth', 'z/second', 'a/first']);
  });

  it('reports the plugin of each task', () => {
    const tasks = [task('x/one', 'preparation')];
    const plan = resolvePlan({
      tasks,
      knownIds: new Set(['x/one']),
      pluginOf: new Map([['x/one', 'provider-x']]),
    });
    assert.equal(plan.tasks[0]?.plugin, 'provider-x');
  });

  it('gives the same order over 50 shuffled runs of the same input', () => {
    const phases: Phase[] = ['preparation', 'volume-creation', 'system-modification', 'cleaning'];
    const tasks: Task[] = [];
    for (let i = 0; i < 40; i++) {
      const phase = phases[i % phases.length] as Phase;
      const after = i >= 8 && i % 3 === 0 ? [`p/t${String(i - 4).padStart(2, '0')}`] : [];
      tasks.push(task(`p/t${String(i).padStart(2, '0')}`, phase, { after }));
    }
    const expected = ids(resolve(tasks));
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let run = 0; run < 50; run++) {
      const shuffled = [...tasks];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j] as Task, shuffled[i] as Task];
      }
      assert.deepEqual(ids(resolve(shuffled)), expected);
    }
  });

  it('reports a cycle as a -> b -> a', () => {
    const problems = problemsOf(() =>
      resolve([task('a', 'preparation', { after: ['b'] }), task('b', 'preparation', { after: ['a'] })]),
    );
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /a -> b -> a/);
  });

  it('reports the shortest cycle of a component, starting at its smallest id', () => {
    // c -> d -> e -> c and d -> c: the shortest is c -> d -> c.
    const problems = problemsOf(() =>
      resolve([
        task('c', 'preparation', { before: ['d'] }),
        task('d', 'preparation', { before: ['e', 'c'] }),
        task('e', 'preparation', { before: ['c'] }),
      ]),
    );
    assert.deepEqual(problems.length, 1);
    assert.match(problems[0] ?? '', /: c -> d -> c$/);
  });

  it('reports each independent cycle', () => {
    const problems = problemsOf(() =>
      resolve([
        task('a', 'preparation', { after: ['b'] }),
        task('b', 'preparation', { after: ['a'] }),
        task('x', 'cleaning', { after: ['y'] }),
        task('y', 'cleaning', { after: ['x'] }),
      ]),
    );
    assert.equal(problems.length, 2);
    assert.match(problems[0] ?? '', /a -> b -> a/);
    assert.match(problems[1] ?? '', /x -> y -> x/);
  });

  it('names both tasks and their phases when an edge contradicts phase order', () => {
    const problems = problemsOf(() =>
      resolve([task('x/early', 'preparation', { after: ['y/late'] }), task('y/late', 'cleaning')]),
    );
    assert.equal(problems.length, 1);
    const [p] = problems;
    assert.match(p ?? '', /"x\/early" \(phase preparation\)/);
    assert.match(p ?? '', /"y\/late" is in the later phase cleaning/);
  });

  it('names both tasks for a before edge against phase order', () => {
    const problems = problemsOf(() =>
      resolve([task('x/late', 'cleaning', { before: ['y/early'] }), task('y/early', 'validation')]),
    );
    assert.match(
      problems[0] ?? '',
      /"x\/late" \(phase cleaning\) has before: "y\/early", but "y\/early" is in the earlier phase validation/,
    );
  });

  it('rejects an edge to an id no plugin defines, with a hint', () => {
    const problems = problemsOf(() =>
      resolve([task('x/y', 'preparation', { after: ['x/zz'] }), task('x/z', 'preparation')]),
    );
    assert.deepEqual(problems, [
      'task "x/y" has after: "x/zz", which no plugin defines (did you mean "x/z"?)',
    ]);
  });

  it('gives no hint when nothing is close', () => {
    const problems = problemsOf(() =>
      resolve([task('x/y', 'preparation', { before: ['completely/different'] })]),
    );
    assert.deepEqual(problems, ['task "x/y" has before: "completely/different", which no plugin defines']);
  });

  it('ignores an edge to a known task that is not planned', () => {
    const plan = resolve(
      [task('x/b', 'preparation', { after: ['other/off'] }), task('x/a', 'preparation')],
      ['other/off'],
    );
    assert.deepEqual(ids(plan), ['x/a', 'x/b']);
  });

  it('rejects duplicate ids', () => {
    const problems = problemsOf(() => resolve([task('x/a', 'preparation'), task('x/a', 'cleaning')]));
    assert.deepEqual(problems, ['task id "x/a" is defined 2 times; task ids must be unique']);
  });

  it('collects all problems at once', () => {
    const problems = problemsOf(() =>
      resolve([
        task('a', 'preparation', { after: ['b', 'nope/missing'] }),
        task('b', 'preparation', { after: ['a'] }),
        task('c', 'preparation', { after: ['late'] }),
        task('late', 'cleaning'),
      ]),
    );
    assert.equal(problems.length, 3);
  });

  it('puts every problem in the PlanError message', () => {
    assert.throws(
      () => resolve([task('a', 'preparation', { after: ['a'] })]),
      (error: unknown) => error instanceof PlanError && /a -> a/.test(error.message),
    );
  });
});

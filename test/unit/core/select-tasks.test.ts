import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineTask, type Plugin, type Task } from '../../../src/api/index.js';
import { selectTasks } from '../../../src/core/select-tasks.js';
import { baseManifestData, testManifest } from '../../helpers/fake-context.js';

const task = (id: string): Task =>
  defineTask({ id, phase: 'preparation', description: id, run: async () => {} });

function plugin(name: string, add: Task[], remove: string[] = []): Plugin {
  return {
    name,
    kind: 'plugin',
    description: name,
    schema: {},
    tasks: add,
    resolveTasks: (_m, set) => {
      set.add(...add);
      set.remove(...remove);
    },
  };
}

describe('selectTasks', () => {
  const manifest = testManifest(baseManifestData);

  it('collects the tasks of every active plugin and knows which plugin owns each', () => {
    const a = plugin('a', [task('a/one'), task('a/two')]);
    const b = plugin('b', [task('b/one')]);
    const s = selectTasks(manifest, [a, b], [a, b]);
    assert.deepEqual(s.tasks.map((t) => t.id).sort(), ['a/one', 'a/two', 'b/one']);
    assert.equal(s.pluginOf.get('b/one'), 'b');
  });

  it('applies removals after every plugin added its tasks, whatever the order', () => {
    const remover = plugin('r', [], ['a/two']);
    const a = plugin('a', [task('a/one'), task('a/two')]);
    const s = selectTasks(manifest, [remover, a], [remover, a]);
    assert.deepEqual(
      s.tasks.map((t) => t.id),
      ['a/one'],
    );
    assert.equal(s.removed.get('a/two'), 'r');
  });

  it('knows the ids of plugins that are not active, so edges to them are not typos', () => {
    const a = plugin('a', [task('a/one')]);
    const inactive = plugin('z', [task('z/other')]);
    const s = selectTasks(manifest, [a], [a, inactive]);
    assert.ok(s.knownIds.has('z/other'));
    assert.deepEqual(
      s.tasks.map((t) => t.id),
      ['a/one'],
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Phase, Task } from '../../../src/api/index.js';
import { planToDot, planToJson, resolvePlan } from '../../../src/graph/resolve-plan.js';

function task(id: string, phase: Phase, edges: { after?: string[]; before?: string[] } = {}): Task {
  return { id, phase, description: `do "${id}"`, ...edges, run: async () => {} };
}

const tasks = [
  task('base/mount', 'volume-mounting'),
  task('base/format', 'volume-preparation'),
  task('kvm/grub', 'system-modification', { after: ['base/fstab', 'gone/task'] }),
  task('base/fstab', 'system-modification', { before: ['kvm/grub'] }),
];
const plan = resolvePlan({
  tasks,
  knownIds: new Set([...tasks.map((t) => t.id), 'gone/task']),
  pluginOf: new Map(tasks.map((t) => [t.id, t.id.split('/')[0] ?? ''])),
});

describe('planToJson', () => {
  it('lists id, phase, description and plugin in plan order', () => {
    assert.deepEqual(planToJson(plan), {
      tasks: [
        { id: 'base/format', phase: 'volume-preparation', description: 'do "base/format"', plugin: 'base' },
        { id: 'base/mount', phase: 'volume-mounting', description: 'do "base/mount"', plugin: 'base' },
        { id: 'base/fstab', phase: 'system-modification', description: 'do "base/fstab"', plugin: 'base' },
        { id: 'kvm/grub', phase: 'system-modification', description: 'do "kvm/grub"', plugin: 'kvm' },
      ],
    });
  });
});

describe('planToDot', () => {
  const dot = planToDot(plan);
  it('has one cluster per phase with tasks, in phase order', () => {
    const clusters = [...dot.matchAll(/subgraph "cluster_([\w-]+)"/g)].map((m) => m[1]);
    assert.deepEqual(clusters, ['volume-preparation', 'volume-mounting', 'system-modification']);
    assert.match(dot, /label="System modification";\n {4}"base\/fstab" \[tooltip="do \\"base\/fstab\\""\];/);
  });

  it('draws after/before edges between planned tasks once, and none to unplanned ones', () => {
    const edges = dot.split('\n').filter((l) => l.includes('->'));
    assert.deepEqual(edges, ['  "base/fstab" -> "kvm/grub";']);
  });

  it('is a complete digraph', () => {
    assert.ok(dot.startsWith('digraph plan {\n'));
    assert.ok(dot.endsWith('}\n'));
  });
});

/** The plan as data for `bootstrap plan --format json|dot`. */
import { PHASES } from '../api/phases.js';
import type { Phase } from '../api/phases.js';
import type { Plan } from './resolve-plan.js';

export interface PlanJson {
  readonly tasks: readonly { id: string; phase: Phase; description: string; plugin: string }[];
}

export function planToJson(plan: Plan): PlanJson {
  return {
    tasks: plan.tasks.map(({ task, plugin }) => ({
      id: task.id,
      phase: task.phase,
      description: task.description,
      plugin,
    })),
  };
}

/** Graphviz: one cluster per phase (in phase order), an edge per after/before between planned tasks. */
export function planToDot(plan: Plan): string {
  const q = (s: string) => `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  const planned = new Set(plan.tasks.map((p) => p.task.id));
  const lines = ['digraph plan {', '  rankdir=TB;', '  node [shape=box, fontname="monospace"];'];
  for (const phase of PHASES) {
    const members = plan.tasks.filter((p) => p.task.phase === phase.id);
    if (members.length === 0) continue;
    lines.push(`  subgraph ${q(`cluster_${phase.id}`)} {`, `    label=${q(phase.name)};`);
    for (const { task } of members) lines.push(`    ${q(task.id)} [tooltip=${q(task.description)}];`);
    lines.push('  }');
  }
  const edges = new Set<string>();
  for (const { task } of plan.tasks) {
    for (const a of task.after ?? []) if (planned.has(a)) edges.add(`  ${q(a)} -> ${q(task.id)};`);
    for (const b of task.before ?? []) if (planned.has(b)) edges.add(`  ${q(task.id)} -> ${q(b)};`);
  }
  lines.push(...[...edges].sort(), '}');
  return lines.join('\n') + '\n';
}

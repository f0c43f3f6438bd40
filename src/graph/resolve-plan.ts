/**
 * The resolver: from the selected tasks to one execution order. Phase order is implicit; `after` and
 * `before` edges order tasks within it. It is deterministic (a Kahn sort whose ready set is taken by
 * phase index, then id) and explains itself: every problem is collected and thrown at once in a
 * PlanError, naming the tasks involved.
 */
import { isPhase, phaseIndex, type Phase } from '../api/phases.js';
import type { Task } from '../api/task.js';
import { closestId } from './closest-id.js';
import { findCycles, formatCycle } from './find-cycles.js';

export interface PlannedTask {
  readonly task: Task;
  /** Name of the plugin (or provider, or `base`) that contributed the task. */
  readonly plugin: string;
}

/** Tasks in execution order. */
export interface Plan {
  readonly tasks: readonly PlannedTask[];
}

export interface ResolveInput {
  readonly tasks: readonly Task[];
  /** Every task id any plugin defines: edges to these are ignored when they are not planned. */
  readonly knownIds: ReadonlySet<string>;
  readonly pluginOf: ReadonlyMap<string, string>;
}

/** The tasks cannot be ordered; `problems` lists every reason, one sentence each. */
export class PlanError extends Error {
  override readonly name = 'PlanError';
  constructor(readonly problems: string[]) {
    super(
      `the task plan has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n  - ${problems.join('\n  - ')}`,
    );
  }
}

export { planToDot, planToJson, type PlanJson } from './plan-output.js';

export function resolvePlan(input: ResolveInput): Plan {
  const problems: string[] = [];
  // Visiting tasks in id order makes the problem list as deterministic as the plan.
  const sorted = [...input.tasks].sort((a, b) => compareIds(a.id, b.id));
  const counts = new Map<string, number>();
  for (const task of sorted) counts.set(task.id, (counts.get(task.id) ?? 0) + 1);
  for (const [id, count] of counts) {
    if (count > 1) problems.push(`task id "${id}" is defined ${count} times; task ids must be unique`);
  }
  const byId = new Map<string, Task>();
  for (const task of sorted) {
    if (byId.has(task.id)) continue;
    if (!isPhase(task.phase)) problems.push(`task "${task.id}" has an unknown phase "${String(task.phase)}"`);
    byId.set(task.id, task);
  }

  const successors = new Map<string, Set<string>>([...byId.keys()].map((id) => [id, new Set<string>()]));
  const candidates = new Set([...input.knownIds, ...byId.keys()]);
  for (const task of byId.values()) {
    for (const other of task.after ?? []) addEdge(task, 'after', other);
    for (const other of task.before ?? []) addEdge(task, 'before', other);
  }

  /** `task` declared `<kind>: other`; records the edge (first runs before second) or a problem. */
  function addEdge(task: Task, kind: 'after' | 'before', other: string): void {
    const target = byId.get(other);
    if (!target) {
      if (input.knownIds.has(other)) return; // defined by a plugin, just not planned for this manifest
      const hint = closestId(
        other,
        [...candidates].filter((id) => id !== task.id),
      );
      problems.push(
        `task "${task.id}" has ${kind}: "${other}", which no plugin defines` +
          (hint ? ` (did you mean "${hint}"?)` : ''),
      );
      return;
    }
    const [first, second] = kind === 'after' ? [target, task] : [task, target];
    if (isPhase(first.phase) && isPhase(second.phase) && phaseIndex(first.phase) > phaseIndex(second.phase)) {
      const where = kind === 'after' ? 'later' : 'earlier';
      problems.push(
        `task "${task.id}" (phase ${task.phase}) has ${kind}: "${other}", ` +
          `but "${other}" is in the ${where} phase ${target.phase}`,
      );
      return; // a conflicting edge is reported once, not again as a cycle through phase order
    }
    successors.get(first.id)?.add(second.id);
  }

  const graph = new Map([...successors].map(([id, next]) => [id, [...next]] as const));
  for (const cycle of findCycles(graph)) {
    problems.push(`dependency cycle (an arrow means "runs before"): ${formatCycle(cycle)}`);
  }
  if (problems.length > 0) throw new PlanError(problems);

  const order = kahn(byId, graph);
  return {
    tasks: order.map((task) => ({ task, plugin: input.pluginOf.get(task.id) ?? pluginFromId(task.id) })),
  };
}

/**
 * Kahn's sort taking the ready task with the lowest (phase index, id). With no edge against phase
 * order, some task of the earliest unfinished phase is always ready, so phase order holds without
 * adding an edge between every pair of phases.
 */
function kahn(byId: ReadonlyMap<string, Task>, graph: ReadonlyMap<string, readonly string[]>): Task[] {
  const indegree = new Map([...byId.keys()].map((id) => [id, 0]));
  for (const next of graph.values()) for (const id of next) indegree.set(id, (indegree.get(id) ?? 0) + 1);
  const ready = [...byId.values()].filter((t) => indegree.get(t.id) === 0);
  const order: Task[] = [];
  while (ready.length > 0) {
    ready.sort(compareTasks);
    const task = ready.shift() as Task;
    order.push(task);
    for (const id of graph.get(task.id) ?? []) {
      const left = (indegree.get(id) ?? 0) - 1;
      indegree.set(id, left);
      if (left === 0) ready.push(byId.get(id) as Task);
    }
  }
  return order;
}

function compareTasks(a: Task, b: Task): number {
  return phaseIndex(a.phase as Phase) - phaseIndex(b.phase as Phase) || compareIds(a.id, b.id);
}

/** Code-point order, not locale order: the plan must not depend on the machine's locale. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function pluginFromId(id: string): string {
  return id.split('/')[0] ?? id;
}

/**
 * Cycle reporting for the task graph: one shortest cycle per strongly connected component, found
 * deterministically (nodes and successors visited in id order), printed as `a -> b -> a` starting at
 * the cycle's smallest id. An arrow means "runs before".
 */
export type Graph = ReadonlyMap<string, readonly string[]>;

export function findCycles(graph: Graph): string[][] {
  const cycles: string[][] = [];
  for (const component of stronglyConnected(graph)) {
    const members = new Set(component);
    const selfLoop =
      component.length === 1 && (graph.get(component[0] ?? '') ?? []).includes(component[0] ?? '');
    if (component.length < 2 && !selfLoop) continue;
    let best: string[] | undefined;
    for (const start of [...component].sort()) {
      const cycle = shortestCycleThrough(graph, start, members);
      if (cycle && (!best || cycle.length < best.length)) best = cycle;
    }
    if (best) cycles.push(rotateToSmallest(best));
  }
  return cycles.sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
}

export function formatCycle(cycle: readonly string[]): string {
  return [...cycle, cycle[0]].join(' -> ');
}

/** BFS from start back to start inside one component; returns the nodes of the cycle, start first. */
function shortestCycleThrough(
  graph: Graph,
  start: string,
  members: ReadonlySet<string>,
): string[] | undefined {
  const parent = new Map<string, string>();
  const queue = [start];
  const seen = new Set([start]);
  while (queue.length > 0) {
    const node = queue.shift() as string;
    for (const next of sortedSuccessors(graph, node)) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(parent.get(path[0] as string) as string);
        return path;
      }
      if (seen.has(next)) continue;
      seen.add(next);
      parent.set(next, node);
      queue.push(next);
    }
  }
  return undefined;
}

function rotateToSmallest(cycle: string[]): string[] {
  const smallest = [...cycle].sort()[0] as string;
  const i = cycle.indexOf(smallest);
  return [...cycle.slice(i), ...cycle.slice(0, i)];
}

function sortedSuccessors(graph: Graph, node: string): string[] {
  return [...(graph.get(node) ?? [])].sort();
}

/** Tarjan's algorithm, iterative so deep chains cannot overflow the stack. */
function stronglyConnected(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;

  for (const root of [...graph.keys()].sort()) {
    if (index.has(root)) continue;
    const work: { node: string; next: number; succ: string[] }[] = [];
    const visit = (node: string) => {
      index.set(node, counter);
      low.set(node, counter++);
      stack.push(node);
      onStack.add(node);
      work.push({ node, next: 0, succ: sortedSuccessors(graph, node).filter((s) => graph.has(s)) });
    };
    visit(root);
    while (work.length > 0) {
      const frame = work[work.length - 1] as (typeof work)[number];
      if (frame.next < frame.succ.length) {
        const succ = frame.succ[frame.next++] as string;
        if (!index.has(succ)) visit(succ);
        else if (onStack.has(succ)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(succ)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop() as string;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        components.push(component);
      }
    }
  }
  return components;
}

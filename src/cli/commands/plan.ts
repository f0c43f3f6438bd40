/** `bootstrap plan MANIFEST [--format text|json|dot]`: the resolved, ordered task list. */
import { PHASES } from '../../api/index.js';
import { makePlan } from '../../core/make-plan.js';
import { PlanError, planToDot, planToJson, type Plan } from '../../graph/resolve-plan.js';
import { CliExit, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { loadForCli, offline } from '../load-for-cli.js';
import type { Output } from '../output.js';

export type PlanFormat = 'text' | 'json' | 'dot';

export async function planCommand(
  file: string,
  opts: { format: PlanFormat; set?: string[]; offline?: boolean },
  out: Output,
): Promise<number> {
  const manifest = await loadForCli(file, out, {
    ...(opts.set ? { set: opts.set } : {}),
    preflight: !offline(opts),
  });
  let plan: Plan;
  try {
    plan = makePlan(manifest).plan;
  } catch (error) {
    if (error instanceof PlanError) {
      throw new CliExit(
        EXIT_USAGE,
        `${file}: the task graph cannot be ordered:\n  ${error.problems.join('\n  ')}`,
        'ERR_PLAN',
      );
    }
    throw error;
  }
  if (opts.format === 'json') out.out(JSON.stringify(planToJson(plan), null, 2));
  else if (opts.format === 'dot') out.out(planToDot(plan));
  else out.out(planToText(plan, manifest.expand(manifest.data.name)));
  return EXIT_OK;
}

export function planToText(plan: Plan, name: string): string {
  const lines = [`plan for ${name}: ${plan.tasks.length} tasks`];
  const width = Math.max(...plan.tasks.map((t) => t.task.id.length), 10);
  for (const phase of PHASES) {
    const tasks = plan.tasks.filter((t) => t.task.phase === phase.id);
    if (tasks.length === 0) continue;
    lines.push('', `${phase.name}`);
    for (const t of tasks) {
      const note = t.task.unavailable ? `  [unavailable: ${t.task.unavailable}]` : '';
      lines.push(`  ${t.task.id.padEnd(width)}  ${t.task.description}${note}`);
      if (t.task.cloudCalls?.length)
        lines.push(`  ${''.padEnd(width)}    calls: ${t.task.cloudCalls.join(', ')}`);
    }
  }
  return lines.join('\n');
}

/**
 * The --report JSON: what was built, how each task went, the artifacts, and the rollback. Every
 * string passes through the secrets masker, so credentials never reach the file; the file is
 * written atomically so a reader never sees half a report.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import type { Artifact, CloudCall } from '../api/events.js';
import type { Phase } from '../api/phases.js';
import { CommandError } from '../api/runner.js';
import type { BuildResult, TaskStatus } from '../engine/build-result.js';
import { describeFailure } from '../engine/failure.js';
import type { Plan } from '../graph/resolve-plan.js';
import { maskDeep } from '../log/secrets.js';

export interface ReportError {
  readonly name: string;
  readonly message: string;
  /** A stable code (docs/errors.md), as on the terminal. */
  readonly code: string;
  /** True for an unexpected exception: a bug in bootstrap, not a build failure. */
  readonly bug: boolean;
  readonly hint?: string;
  readonly task?: string;
  readonly exitCode?: number;
}

export interface BuildReport {
  readonly manifest: string;
  readonly name: string;
  readonly status: BuildResult['status'];
  /** ISO 8601 times. */
  readonly start: string;
  readonly end: string;
  readonly seconds: number;
  readonly tasks: readonly {
    id: string;
    phase: Phase;
    plugin: string;
    status: TaskStatus;
    seconds: number;
  }[];
  readonly artifacts: readonly Artifact[];
  /** Cloud API calls in order, main parameters only (bulk calls summed); absent when there were none. */
  readonly cloudCalls?: readonly CloudCall[];
  /** Dry runs only: the host commands the build would run, in order, with the task that runs each. */
  readonly commands?: readonly DryRunCommand[];
  readonly rollback: {
    readonly ok: boolean;
    readonly undone: readonly string[];
    readonly failed: readonly { id: string; error: string }[];
    readonly leftUndone: readonly string[];
  } | null;
  readonly error?: ReportError;
}

export interface DryRunCommand {
  readonly task?: string;
  readonly argv: readonly string[];
  /** The image root a chroot command would run in. */
  readonly chroot?: string;
}

export function buildReport(input: {
  manifestFile: string;
  name: string;
  result: BuildResult;
  plan: Plan;
  commands?: readonly DryRunCommand[];
}): BuildReport {
  const { result, plan } = input;
  const outcomes = new Map(result.tasks.map((t) => [t.id, t]));
  // The plan gives the order and the full task list; the result says how each went.
  const tasks = plan.tasks.map(({ task, plugin }) => {
    const o = outcomes.get(task.id);
    return {
      id: task.id,
      phase: task.phase,
      plugin,
      status: o?.status ?? 'not-run',
      seconds: round(o?.seconds ?? 0),
    };
  });
  const rollback = result.rollback
    ? {
        ok: result.rollback.ok,
        undone: result.rollback.undone,
        failed: result.rollback.failed.map((f) => ({ id: f.id, error: messageOf(f.error) })),
        leftUndone: result.rollback.leftUndone,
      }
    : null;
  const report: BuildReport = {
    manifest: input.manifestFile,
    name: input.name,
    status: result.status,
    start: result.startedAt.toISOString(),
    end: result.endedAt.toISOString(),
    seconds: round((result.endedAt.getTime() - result.startedAt.getTime()) / 1000),
    tasks,
    artifacts: result.artifacts,
    ...(result.cloudCalls?.length ? { cloudCalls: result.cloudCalls } : {}),
    ...(input.commands ? { commands: input.commands } : {}),
    rollback,
    ...(result.status !== 'success'
      ? { error: describeError(result.error, result.failedTask, result.status === 'interrupted') }
      : {}),
  };
  return maskDeep(report);
}

/** One cloud call on one line: `ec2 RegisterImage in eu-west-1 {...}` (masked). */
export function cloudCallText(c: CloudCall): string {
  const params = c.params && Object.keys(c.params).length ? ` ${JSON.stringify(maskDeep(c.params))}` : '';
  const count = c.count !== undefined && c.count > 1 ? ` (x${c.count})` : '';
  return `${c.service} ${c.operation}${c.region ? ` in ${c.region}` : ''}${count}${params}`;
}

/** Writes the report next to its final path, then renames it into place. */
export async function writeReport(path: string, report: BuildReport): Promise<void> {
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, JSON.stringify(maskDeep(report), null, 2) + '\n', { mode: 0o644 });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

function describeError(error: unknown, task: string | undefined, interrupted: boolean): ReportError {
  const failure = describeFailure(error, interrupted);
  const base = {
    name: error instanceof Error ? error.name : 'Error',
    message: messageOf(error),
    code: failure.code,
    bug: failure.bug,
    ...(task ? { task } : {}),
  };
  if (failure.hint) return { ...base, hint: failure.hint };
  if (error instanceof CommandError && error.exitCode !== undefined)
    return { ...base, exitCode: error.exitCode };
  return base;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

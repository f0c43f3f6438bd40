/**
 * An extension of CommandRunner that the engine uses without changing the public API: a runner that
 * can hand out a copy bound to one task and one cancel signal. The engine binds each task's runner to
 * the build signal, and each undo's runner to the rollback signal, so undo commands still run after
 * Ctrl-C aborted the build. Runners without `bind` are used as they are.
 */
import type { CommandRunner } from '../api/runner.js';

export interface RunnerBinding {
  readonly signal: AbortSignal;
  readonly taskId: string;
}

export interface BindableRunner extends CommandRunner {
  bind(binding: RunnerBinding): CommandRunner;
}

export function isBindable(runner: CommandRunner): runner is BindableRunner {
  return typeof (runner as Partial<BindableRunner>).bind === 'function';
}

export function bindRunner(runner: CommandRunner, binding: RunnerBinding): CommandRunner {
  return isBindable(runner) ? runner.bind(binding) : runner;
}

/**
 * Writes build events to the log file, so the log tells the whole story (task starts and ends,
 * rollback, artifacts) next to the command lines the runner writes there. Progress events are left
 * out: they are for the terminal and would flood the file.
 */
import type { BuildEvent, EventSink } from '../api/events.js';
import { formatArgv } from '../api/runner.js';
import type { Logger } from './logger.js';

export function createLogSink(logger: Logger): EventSink {
  return {
    emit(event: BuildEvent) {
      const line = describeEvent(event);
      if (line) logger[line.level](line.message);
    },
  };
}

function describeEvent(
  e: BuildEvent,
): { level: 'debug' | 'info' | 'warn' | 'error'; message: string } | undefined {
  switch (e.type) {
    case 'plan':
      return { level: 'debug', message: `plan: ${e.tasks.map((t) => t.id).join(', ')}` };
    case 'phase-start':
      return { level: 'info', message: `phase ${e.phase}` };
    case 'task-start':
      return { level: 'info', message: `${e.description} (${e.id})` };
    case 'task-end':
      return {
        level: e.status === 'ok' ? 'debug' : 'error',
        message: `task ${e.id} ${e.status} after ${e.seconds.toFixed(1)}s`,
      };
    case 'progress':
      return undefined;
    case 'log':
      return { level: e.level, message: e.task ? `${e.task}: ${e.message}` : e.message };
    case 'command':
      return { level: 'debug', message: `command: ${formatArgv(e.argv)}` };
    case 'rollback-start':
      return { level: 'warn', message: `rolling back ${e.tasks} task(s): ${e.reason.split('\n')[0] ?? ''}` };
    case 'undo':
      return e.status === 'ok'
        ? { level: 'info', message: `undid ${e.id}` }
        : { level: 'error', message: `undo of ${e.id} failed: ${e.error ?? 'unknown error'}` };
    case 'rollback-end':
      return { level: e.ok ? 'info' : 'error', message: e.ok ? 'rollback complete' : 'rollback incomplete' };
    case 'artifact':
      return { level: 'info', message: `artifact: ${JSON.stringify(e.artifact)}` };
  }
}

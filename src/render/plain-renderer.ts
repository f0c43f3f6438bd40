/**
 * Plain lines for logs and CI (no escape codes, nothing redrawn): one line per task start and end,
 * plus warnings, errors, rollback steps and artifacts.
 */
import type { BuildEvent, EventSink } from '../api/events.js';
import { formatArgv } from '../api/runner.js';
import { maskSecrets } from '../log/secrets.js';
import { formatSeconds, phaseName, type RenderStream, type RendererOptions } from './format.js';
import { describeArtifact } from './describe-artifact.js';

export function createPlainRenderer(
  stream: RenderStream,
  opts: RendererOptions = {},
): EventSink & { close(): void } {
  let total = 0;
  let index = 0;
  const line = (text: string) => stream.write(maskSecrets(text) + '\n');
  return {
    emit(e: BuildEvent) {
      switch (e.type) {
        case 'plan':
          total = e.tasks.length;
          return;
        case 'phase-start':
          return line(`== ${phaseName(e.phase)}`);
        case 'task-start':
          index += 1;
          return line(`[${index}/${total}] ${e.id}: ${e.description}`);
        case 'task-end':
          return line(`${e.status === 'ok' ? 'ok' : 'FAILED'} ${e.id} (${formatSeconds(e.seconds)})`);
        case 'log':
          if (e.level === 'debug' && !opts.debug) return;
          return line(`${e.level}: ${e.task ? `[${e.task}] ` : ''}${e.message}`);
        case 'command':
          if (opts.debug) line(`$ ${formatArgv(e.argv)}`);
          return;
        case 'rollback-start':
          return line(`rollback of ${e.tasks} task(s): ${e.reason.split('\n')[0] ?? ''}`);
        case 'undo':
          return line(e.status === 'ok' ? `undone ${e.id}` : `undo FAILED ${e.id}: ${e.error ?? ''}`);
        case 'rollback-end':
          return line(e.ok ? 'rollback complete' : 'rollback INCOMPLETE');
        case 'artifact':
          return line(`artifact ${e.artifact.kind}: ${describeArtifact(e.artifact)}`);
        case 'progress':
          return;
      }
    },
    close() {},
  };
}

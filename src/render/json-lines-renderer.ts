/**
 * One JSON object per line per event (listr2's test renderer): machine-readable progress for CI, and
 * a stable transcript of a build's behaviour for tests. Each line has the event's fields plus `time`.
 */
import type { BuildEvent, EventSink } from '../api/events.js';
import { maskDeep } from '../log/secrets.js';
import type { RenderStream } from './format.js';

export interface JsonLinesOptions {
  /** Source of the `time` field (default: now); tests pass a fixed clock. */
  readonly clock?: () => Date;
}

export function createJsonLinesRenderer(
  stream: RenderStream,
  opts: JsonLinesOptions = {},
): EventSink & { close(): void } {
  const clock = opts.clock ?? (() => new Date());
  return {
    emit(event: BuildEvent) {
      stream.write(JSON.stringify({ time: clock().toISOString(), ...maskDeep(event) }) + '\n');
    },
    close() {},
  };
}

/** Sends every event to several sinks (a renderer and the log file), in order. */
import type { BuildEvent, EventSink } from '../api/events.js';

export function createTeeSink(...sinks: readonly EventSink[]): EventSink {
  return {
    emit(event: BuildEvent) {
      for (const sink of sinks) sink.emit(event);
    },
  };
}

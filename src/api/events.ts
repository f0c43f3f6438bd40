/**
 * The core never writes to the terminal: it reports events, and a renderer (progress display, plain
 * lines, JSON lines) turns them into output. Long steps report progress with `progress`.
 */
import type { Phase } from './phases.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type BuildEvent =
  | { readonly type: 'plan'; readonly tasks: readonly { id: string; phase: Phase; description: string }[] }
  | { readonly type: 'phase-start'; readonly phase: Phase }
  | { readonly type: 'task-start'; readonly id: string; readonly phase: Phase; readonly description: string }
  | {
      readonly type: 'task-end';
      readonly id: string;
      readonly status: 'ok' | 'failed';
      readonly seconds: number;
    }
  | {
      readonly type: 'progress';
      readonly id: string;
      /** Units done so far and the total, when known (bytes, blocks, packages...). */
      readonly done: number;
      readonly total?: number;
      readonly unit?: string;
      readonly message?: string;
    }
  | { readonly type: 'log'; readonly level: LogLevel; readonly message: string; readonly task?: string }
  | { readonly type: 'command'; readonly argv: readonly string[]; readonly task?: string }
  | { readonly type: 'rollback-start'; readonly reason: string; readonly tasks: number }
  | { readonly type: 'undo'; readonly id: string; readonly status: 'ok' | 'failed'; readonly error?: string }
  | { readonly type: 'rollback-end'; readonly ok: boolean }
  | { readonly type: 'artifact'; readonly artifact: Artifact }
  | { readonly type: 'cloud-call'; readonly call: CloudCall; readonly task?: string };

export interface EventSink {
  emit(event: BuildEvent): void;
}

/**
 * One call to a cloud API (an AWS SDK command), listed in the --report JSON. `params` holds the main
 * inputs only: never credentials, never block data.
 */
export interface CloudCall {
  readonly service: string;
  /** Where the call went (absent for calls that are not regional). */
  readonly region?: string;
  readonly operation: string;
  readonly params?: Readonly<Record<string, unknown>>;
  /** How many calls this entry stands for (bulk operations such as PutSnapshotBlock are summed). */
  readonly count?: number;
  readonly error?: string;
  /** The task that made the call (set by the engine). */
  readonly task?: string;
}

/**
 * Something a build produced, listed in the --report JSON. A `metric` is a measured number about the
 * build (e.g. minimize_size's bytes saved): `name` says what, `value` and `unit` hold it.
 */
export interface Artifact {
  readonly kind: 'image' | 'snapshot' | 'ami' | 'bundle' | 'file' | 'metric' | 'instance';
  /** Path of a local file, when the artifact is one. */
  readonly path?: string;
  readonly format?: string;
  readonly sha256?: string;
  readonly sizeBytes?: number;
  /** Cloud identifiers: AMI id, snapshot id... */
  readonly id?: string;
  readonly region?: string;
  readonly name?: string;
  /** A metric's value, in `unit`. */
  readonly value?: number;
  readonly unit?: string;
}

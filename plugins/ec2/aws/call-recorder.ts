/**
 * SDK middleware that records every AWS call of the build: one CloudCall per call (bulk block calls
 * summed into one entry) for the event stream and the --report JSON, a debug log line, and, when
 * BOOTSTRAP_AWS_TRACE names a file, the serialized HTTP request as a JSON line. The trace is what tests
 * assert RegisterImage's parameters against, since moto ignores most of them (aws.md section 5).
 * Neither keeps block data or credentials: the trace is taken before signing, and bodies that are
 * not text are replaced by their length.
 */
import { appendFileSync } from 'node:fs';
import type { CloudCall, LogLevel } from '../../../src/api/index.js';

export interface CallSink {
  record(call: CloudCall): void;
  log(level: LogLevel, message: string): void;
}

/** Calls made once per block: summed into one report entry, not logged one by one. */
const BULK_OPERATIONS = new Set(['PutSnapshotBlock', 'GetSnapshotBlock', 'UploadPart', 'PutObject']);
/** Inputs never recorded: data, and anything that could be a secret. */
const DROPPED_INPUTS = /^(BlockData|Body|Checksum|.*Secret.*|.*Password.*|SessionToken|SSECustomerKey.*)$/;
const MAX_PARAMS_CHARS = 4000;

interface MiddlewareArgs {
  input: Record<string, unknown>;
  request?: {
    method?: string;
    hostname?: string;
    path?: string;
    query?: unknown;
    headers?: Record<string, string>;
    body?: unknown;
  };
}
interface MiddlewareContext {
  commandName?: string;
}
type Handler = (args: MiddlewareArgs) => Promise<unknown>;
interface Stack {
  add(
    middleware: (next: Handler, context: MiddlewareContext) => Handler,
    options: { step: 'initialize' | 'build'; name: string; priority?: 'low' | 'normal' | 'high' },
  ): void;
}

/** The main inputs of a call, JSON-safe and short. */
export function summarizeInput(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || DROPPED_INPUTS.test(key)) continue;
    if (value instanceof Uint8Array || typeof value === 'function') continue;
    if (typeof value === 'object' && value !== null && 'pipe' in value) continue; // a stream
    out[key] = value instanceof Date ? value.toISOString() : value;
  }
  const text = JSON.stringify(out);
  return text.length <= MAX_PARAMS_CHARS ? out : { truncated: text.slice(0, MAX_PARAMS_CHARS) };
}

function errorCode(error: unknown): string {
  if (error instanceof Error) return error.name && error.name !== 'Error' ? error.name : error.message;
  return String(error);
}

/**
 * Adds the recorder to a client. `sink()` is read at each call, so the calls of each task are
 * attributed to that task (the clients are shared by the build).
 */
export function attachCallRecorder(
  client: { middlewareStack: unknown },
  service: string,
  region: string,
  sink: () => CallSink | undefined,
  traceFile: string | undefined,
): void {
  const stack = client.middlewareStack as Stack;
  let lastBulk: { operation: string; call: { count: number; errors?: number } & CloudCall } | undefined;
  stack.add(
    (next, context) => async (args) => {
      const operation = context.commandName?.replace(/Command$/, '') ?? 'unknown';
      const bulk = BULK_OPERATIONS.has(operation);
      const s = sink();
      let entry: CloudCall | undefined;
      if (bulk) {
        if (lastBulk?.operation === operation) lastBulk.call.count += 1;
        else {
          const call = { service, region, operation, count: 1 } as { count: number } & CloudCall;
          lastBulk = { operation, call };
          s?.record(call);
        }
      } else {
        lastBulk = undefined;
        const params = summarizeInput(args.input);
        s?.log('debug', `aws ${service} ${operation} in ${region} ${JSON.stringify(params)}`);
        entry = { service, region, operation, params };
      }
      try {
        const result = await next(args);
        if (entry) s?.record(entry);
        return result;
      } catch (error) {
        if (entry) s?.record({ ...entry, error: errorCode(error) });
        else if (lastBulk) lastBulk.call.errors = (lastBulk.call.errors ?? 0) + 1;
        throw error;
      }
    },
    { step: 'initialize', name: 'debianImageBootstrapCallRecorder' },
  );
  if (!traceFile) return;
  stack.add(
    (next, context) => async (args) => {
      const r = args.request;
      if (r) {
        const body = typeof r.body === 'string' ? r.body : r.body === undefined ? undefined : '<binary>';
        const headers = Object.fromEntries(
          Object.entries(r.headers ?? {}).filter(([k]) => /^(content-type|x-amz-target)$/i.test(k)),
        );
        appendFileSync(
          traceFile,
          JSON.stringify({
            service,
            operation: context.commandName?.replace(/Command$/, ''),
            method: r.method,
            host: r.hostname,
            path: r.path,
            query: r.query,
            headers,
            body,
          }) + '\n',
        );
      }
      return next(args);
    },
    { step: 'build', name: 'debianImageBootstrapTrace', priority: 'low' },
  );
}

/**
 * A fault-injecting HTTP proxy for integration tests: put `proxy.endpoint` where the SDK expects the
 * AWS endpoint and it forwards to moto, except that the requests its rules pick are answered with a
 * throttling error in the service's own protocol shape, a 500, a delay, or a dropped connection. It
 * counts what it did, so a test can assert that faults really happened.
 *
 *   const proxy = await startFaultProxy(moto.endpoint, {
 *     rules: [{ operation: 'PutSnapshotBlock', fault: 'throttle', rate: 0.2 }],
 *   });
 *   proxy.setRules([{ operation: 'RegisterImage', fault: { status: 400, code: 'InvalidParameter' } }]);
 *   proxy.counts.throttle; proxy.log; await proxy.close();
 *
 * The service comes from the SigV4 credential scope (as moto itself picks it), the operation from
 * `X-Amz-Target` (JSON-RPC), `Action=` (EC2/STS query protocol) or the EBS REST path.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * - `throttle`: EBS/REST-JSON 429 ThrottlingException, EC2 503 RequestLimitExceeded (XML), S3 503 SlowDown.
 * - `server-error`: 500 InternalError / InternalServerException.
 * - `delay`: forwards after `delayMs` (a stall longer than the client's timeout looks like a hang).
 * - `drop`: resets the connection before forwarding (moto never sees the request).
 * - `drop-response`: forwards, then resets instead of answering (moto did the work; the client
 *   does not know it: tests idempotency).
 * - `{ status, code, message }`: a fixed error answer in the service's shape, e.g. a permanent 400.
 */
export type Fault =
  | 'throttle'
  | 'server-error'
  | 'delay'
  | 'drop'
  | 'drop-response'
  | { status: number; code: string; message?: string };

export interface FaultRule {
  /** SigV4 service name (`ebs`, `ec2`, `s3`, `sts`); any when omitted. */
  service?: string;
  /** Operation name (`PutSnapshotBlock`, `RegisterImage`...); any when omitted. */
  operation?: string | RegExp;
  fault: Fault;
  /** Share of the matching requests that get the fault, 0..1 (default 1: every one). */
  rate?: number;
  /** Apply at most this many times, then let requests through. */
  times?: number;
  /** For `delay`: milliseconds (default 1000). */
  delayMs?: number;
}

export type FaultName = 'throttle' | 'server-error' | 'delay' | 'drop' | 'drop-response' | 'error';

export interface ProxiedRequest {
  service: string;
  operation: string;
  method: string;
  path: string;
  /** The fault applied, if any. */
  fault?: FaultName;
}

export interface FaultProxy {
  readonly endpoint: string;
  readonly port: number;
  /** How many requests got each fault, and `forwarded` for those that reached the target. */
  readonly counts: Record<FaultName | 'forwarded', number>;
  /** Every request seen, in arrival order. */
  readonly log: readonly ProxiedRequest[];
  /** Replaces the rules (the first matching rule whose dice roll hits decides). */
  setRules(rules: FaultRule[]): void;
  /** Requests of one operation, optionally only those that got a given fault. */
  count(operation: string, fault?: FaultName | 'forwarded'): number;
  close(): Promise<void>;
}

export interface FaultProxyOptions {
  rules?: FaultRule[];
  /** Seed for the dice, so a failing run can be replayed (default 1). */
  seed?: number;
}

/** mulberry32: a tiny seeded PRNG, so fault patterns are reproducible. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `Credential=AKID/20260101/us-east-1/ebs/aws4_request` -> `ebs`. */
export function serviceOf(headers: IncomingMessage['headers']): string {
  const auth = headers.authorization ?? '';
  const m = /Credential=[^/]+\/\d+\/[^/]+\/([^/]+)\/aws4_request/.exec(auth);
  return m?.[1] ?? 'unknown';
}

/** EBS direct API REST routes (aws-sdk-js-v3 client-ebs serializers). */
function ebsOperation(method: string, path: string): string {
  if (method === 'POST' && path === '/snapshots') return 'StartSnapshot';
  if (method === 'POST' && path.startsWith('/snapshots/completion/')) return 'CompleteSnapshot';
  if (method === 'PUT' && /^\/snapshots\/[^/]+\/blocks\/\d+$/.test(path)) return 'PutSnapshotBlock';
  if (method === 'GET' && /^\/snapshots\/[^/]+\/blocks\/\d+$/.test(path)) return 'GetSnapshotBlock';
  if (method === 'GET' && /^\/snapshots\/[^/]+\/blocks$/.test(path)) return 'ListSnapshotBlocks';
  if (method === 'GET' && /^\/snapshots\/[^/]+\/changedblocks$/.test(path)) return 'ListChangedBlocks';
  return `${method} ${path}`;
}

export function operationOf(
  service: string,
  method: string,
  url: string,
  headers: IncomingMessage['headers'],
  body: Buffer,
): string {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop() ?? target;
  const [path = '/', query = ''] = url.split('?');
  const fromQuery = new URLSearchParams(query).get('Action');
  if (fromQuery) return fromQuery;
  if (String(headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
    const action = new URLSearchParams(body.toString('utf8')).get('Action');
    if (action) return action;
  }
  if (service === 'ebs') return ebsOperation(method, path);
  return `${method} ${path}`;
}

/** An error answer in the protocol shape the service's SDK client parses. */
function errorAnswer(
  service: string,
  status: number,
  code: string,
  message: string,
): {
  status: number;
  headers: Record<string, string>;
  body: string;
} {
  const requestId = `fault-proxy-${Math.random().toString(16).slice(2, 10)}`;
  if (service === 'ec2') {
    // EC2 query protocol: <Response><Errors><Error>... (awsQuery/ec2Query error shape).
    return {
      status,
      headers: { 'content-type': 'text/xml;charset=UTF-8' },
      body:
        `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code>` +
        `<Message>${message}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
    };
  }
  if (service === 's3') {
    return {
      status,
      headers: { 'content-type': 'application/xml' },
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${requestId}</RequestId></Error>`,
    };
  }
  if (service === 'sts') {
    return {
      status,
      headers: { 'content-type': 'text/xml' },
      body: `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    };
  }
  // REST-JSON (EBS): the SDK reads the code from x-amzn-errortype, then the body.
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': code, 'x-amzn-requestid': requestId },
    body: JSON.stringify({ message, __type: code }),
  };
}

function cannedFault(service: string, fault: Fault): { status: number; code: string; message: string } {
  if (fault === 'throttle') {
    if (service === 'ec2')
      return { status: 503, code: 'RequestLimitExceeded', message: 'Request limit exceeded.' };
    if (service === 's3')
      return { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' };
    if (service === 'sts') return { status: 400, code: 'Throttling', message: 'Rate exceeded' };
    return { status: 429, code: 'ThrottlingException', message: 'Rate exceeded (fault proxy)' };
  }
  if (fault === 'server-error') {
    if (service === 'ebs')
      return { status: 500, code: 'InternalServerException', message: 'Internal error (fault proxy)' };
    return { status: 500, code: 'InternalError', message: 'An internal error has occurred (fault proxy)' };
  }
  if (typeof fault === 'object') return { message: `Injected ${fault.code} (fault proxy)`, ...fault };
  throw new Error(`not a canned fault: ${String(fault)}`);
}

function matches(rule: FaultRule, service: string, operation: string): boolean {
  if (rule.service !== undefined && rule.service !== service) return false;
  if (rule.operation === undefined) return true;
  return typeof rule.operation === 'string' ? rule.operation === operation : rule.operation.test(operation);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startFaultProxy(target: string, options: FaultProxyOptions = {}): Promise<FaultProxy> {
  const targetUrl = new URL(target);
  const random = seededRandom(options.seed ?? 1);
  let rules: { rule: FaultRule; used: number }[] = [];
  const setRules = (next: FaultRule[]): void => {
    rules = next.map((rule) => ({ rule, used: 0 }));
  };
  setRules(options.rules ?? []);
  const counts: Record<FaultName | 'forwarded', number> = {
    throttle: 0,
    'server-error': 0,
    delay: 0,
    drop: 0,
    'drop-response': 0,
    error: 0,
    forwarded: 0,
  };
  const log: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const pick = (service: string, operation: string): FaultRule | undefined => {
    for (const entry of rules) {
      if (!matches(entry.rule, service, operation)) continue;
      if (entry.rule.times !== undefined && entry.used >= entry.rule.times) continue;
      if (random() >= (entry.rule.rate ?? 1)) continue;
      entry.used++;
      return entry.rule;
    }
    return undefined;
  };

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer, dropResponse: boolean): void => {
    const upstream = httpRequest(
      {
        host: targetUrl.hostname,
        port: targetUrl.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: targetUrl.host, 'content-length': String(body.length) },
      },
      (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          if (dropResponse) {
            req.socket.destroy();
            return;
          }
          res.writeHead(up.statusCode ?? 502, up.headers);
          res.end(Buffer.concat(chunks));
        });
      },
    );
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`fault proxy: upstream error ${err.message}`);
    });
    upstream.end(body);
  };

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const method = req.method ?? 'GET';
      const url = req.url ?? '/';
      const service = serviceOf(req.headers);
      const operation = operationOf(service, method, url, req.headers, body);
      const entry: ProxiedRequest = { service, operation, method, path: url.split('?')[0] ?? url };
      log.push(entry);
      const rule = pick(service, operation);
      if (!rule) {
        counts.forwarded++;
        forward(req, res, body, false);
        return;
      }
      const fault = rule.fault;
      if (fault === 'drop') {
        entry.fault = 'drop';
        counts.drop++;
        req.socket.destroy();
        return;
      }
      if (fault === 'drop-response') {
        entry.fault = 'drop-response';
        counts['drop-response']++;
        counts.forwarded++;
        forward(req, res, body, true);
        return;
      }
      if (fault === 'delay') {
        entry.fault = 'delay';
        counts.delay++;
        const timer = setTimeout(() => {
          timers.delete(timer);
          // The client may have given up (its own timeout): nothing to answer then.
          if (req.socket.destroyed) return;
          counts.forwarded++;
          forward(req, res, body, false);
        }, rule.delayMs ?? 1000);
        timers.add(timer);
        return;
      }
      const name: FaultName = typeof fault === 'object' ? 'error' : fault;
      entry.fault = name;
      counts[name]++;
      const canned = cannedFault(service, fault);
      const answer = errorAnswer(service, canned.status, canned.code, canned.message);
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`fault proxy: ${String(err)}`);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    counts,
    log,
    setRules,
    count(operation, fault) {
      return log.filter(
        (r) =>
          r.operation === operation &&
          (fault === undefined || (fault === 'forwarded' ? !r.fault : r.fault === fault)),
      ).length;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A local EC2 instance metadata service for boot tests, on 127.0.0.1 only. QEMU's guestfwd relays the
 * guest's 169.254.169.254:80 to it through socat. Behaves like IMDS where init scripts can tell:
 * IMDSv2 token PUT with a validated TTL, 401 for missing or unknown tokens when v2 is required (and for
 * unknown tokens always, as EC2 does), IMDSv1 otherwise. Every request is logged for the report.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { API_VERSIONS, lookup, type MetadataTree } from './imds-data.js';

export const TOKEN_HEADER = 'x-aws-ec2-metadata-token';
export const TTL_HEADER = 'x-aws-ec2-metadata-token-ttl-seconds';
const MAX_TTL = 21600;

export interface ImdsRequest {
  /** Seconds since the server started. */
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** A token header was sent (valid or not). */
  readonly token: boolean;
  /** Held back by the `slowFirst` fault. */
  readonly slow?: boolean;
}

/**
 * Misbehaviour for the first requests, as a real service shows while the instance comes up or under
 * load: the first `failFirst` requests (any method) get `failStatus`, the `slowFirst` after them are
 * answered only after `slowMs`. Init scripts must retry through both.
 */
export interface ImdsFaults {
  readonly failFirst?: number;
  readonly failStatus?: number;
  readonly slowFirst?: number;
  readonly slowMs?: number;
}

export interface ImdsServerOptions {
  readonly tree: MetadataTree;
  readonly faults?: ImdsFaults;
  /** Reject requests without a valid token (EC2's HttpTokens=required). */
  readonly requireV2?: boolean;
  /** Port to listen on (default 0: any free port). */
  readonly port?: number;
  /** Clock in ms, for token expiry tests. */
  readonly now?: () => number;
}

export interface ImdsServer {
  readonly port: number;
  readonly url: string;
  /** Every request so far, in order. */
  readonly requests: readonly ImdsRequest[];
  /** Serves `tree` from now on (e.g. other user-data for the next boot of the same instance). */
  setTree(tree: MetadataTree): void;
  close(): Promise<void>;
}

export async function startImdsServer(opts: ImdsServerOptions): Promise<ImdsServer> {
  const now = opts.now ?? Date.now;
  const started = now();
  const tokens = new Map<string, number>();
  const requests: ImdsRequest[] = [];
  let tree = opts.tree;
  let seen = 0;
  const failFirst = opts.faults?.failFirst ?? 0;
  const slowUntil = failFirst + (opts.faults?.slowFirst ?? 0);

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const tokenHeader = req.headers[TOKEN_HEADER];
    const token = typeof tokenHeader === 'string' ? tokenHeader : undefined;
    const index = seen++;
    const record = (status: number, slow = false) =>
      requests.push({
        at: (now() - started) / 1000,
        method: req.method ?? '?',
        path,
        status,
        token: token !== undefined,
        ...(slow ? { slow: true } : {}),
      });
    if (index < failFirst) {
      req.resume();
      record(send(res, opts.faults?.failStatus ?? 503, 'Service Unavailable'));
      return;
    }
    if (index < slowUntil) {
      // Answered late. A client that gives up first is logged with status 0 (no answer).
      let answered = false;
      const timer = setTimeout(() => {
        answered = true;
        record(handle(req, res, path, token), true);
      }, opts.faults?.slowMs ?? 10_000);
      res.once('close', () => {
        clearTimeout(timer);
        if (!answered) record(0, true);
      });
      return;
    }
    record(handle(req, res, path, token));
  });

  function handle(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    token: string | undefined,
  ): number {
    // Drain any body so keep-alive connections stay usable.
    req.resume();
    if (req.method === 'PUT') {
      if (path !== '/latest/api/token') return send(res, 403, 'Forbidden');
      const ttl = parseTtl(req.headers[TTL_HEADER]);
      if (ttl === undefined) return send(res, 400, 'Bad Request');
      const value = randomBytes(30).toString('base64url');
      tokens.set(value, now() + ttl * 1000);
      return send(res, 200, value, { [TTL_HEADER]: String(ttl) });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method Not Allowed');
    if (token !== undefined) {
      const expires = tokens.get(token);
      if (expires === undefined || expires <= now()) return send(res, 401, 'Unauthorized');
    } else if (opts.requireV2) {
      return send(res, 401, 'Unauthorized');
    }
    const parts = path.split('/').filter(Boolean);
    if (parts.length === 0) return send(res, 200, API_VERSIONS.join('\n'));
    const [version, ...rest] = parts;
    if (version === undefined || !API_VERSIONS.includes(version)) return send(res, 404, 'Not Found');
    const found = lookup(tree, rest);
    if (found.kind === 'missing') return send(res, 404, 'Not Found');
    return send(
      res,
      200,
      found.body,
      found.kind === 'leaf' && rest[rest.length - 1] === 'document'
        ? { 'content-type': 'application/json' }
        : {},
    );
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    requests,
    setTree: (next) => {
      tree = next;
    },
    close: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}

/** EC2 accepts 1..21600 seconds; anything else (missing, not an integer, out of range) is a 400. */
export function parseTtl(value: string | string[] | undefined): number | undefined {
  if (typeof value !== 'string' || !/^\d+$/.test(value.trim())) return undefined;
  const ttl = Number(value.trim());
  return ttl >= 1 && ttl <= MAX_TTL ? ttl : undefined;
}

function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  headers: Record<string, string> = {},
): number {
  res.writeHead(status, {
    'content-type': 'text/plain',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
  return status;
}

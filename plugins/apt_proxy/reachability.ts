/**
 * Is anything answering HTTP at the proxy? Any HTTP response counts (apt-cacher-ng answers its root
 * with a 404 "Usage Information" page, squid with 400); only a connection error or a timeout does
 * not. bootstrap-vz only warned on failure, and so does this: the proxy may come up later.
 */
import { request } from 'node:http';

export type Reachability =
  { readonly ok: true; readonly status: number } | { readonly ok: false; readonly reason: string };

export function probeHttp(url: string, timeoutMs = 5000, signal?: AbortSignal): Promise<Reachability> {
  return new Promise((resolve) => {
    const req = request(
      url,
      { method: 'GET', agent: false, timeout: timeoutMs, ...(signal ? { signal } : {}) },
      (res) => {
        res.resume();
        resolve({ ok: true, status: res.statusCode ?? 0 });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000}s`)));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, reason: e.code ?? e.message }));
    // agent: false: a fresh connection each time, so a pooled one cannot stand in for the proxy.
    req.end();
  });
}

/**
 * The build instance's identity from the EC2 instance metadata service: IMDSv2 (PUT a session token,
 * then GET with it), falling back to IMDSv1 only when the caller allows it. The endpoint honours
 * AWS_EC2_METADATA_SERVICE_ENDPOINT like the AWS SDKs, so a test (or an IPv6-only host) can point it
 * elsewhere. Each request has its own timeout and transient failures are retried: IMDS throttles
 * bursts and answers slowly while an instance boots.
 */
import { BuildError, sleep } from '../../../src/api/index.js';

export const DEFAULT_IMDS_ENDPOINT = 'http://169.254.169.254';
const TOKEN_TTL_SECONDS = 300;

export interface InstanceIdentity {
  readonly instanceId: string;
  readonly region: string;
  readonly availabilityZone: string;
}

export interface ImdsClientOptions {
  /** Default: AWS_EC2_METADATA_SERVICE_ENDPOINT, else http://169.254.169.254. */
  readonly endpoint?: string;
  /** Use IMDSv1 (no token) when the token request is refused; off by default. */
  readonly allowV1?: boolean;
  /** Per-request timeout in ms (default 2000; the SDKs use 1000). */
  readonly timeoutMs?: number;
  /** Attempts per request for timeouts, connection errors, 429 and 5xx (default 3). */
  readonly attempts?: number;
  /** Delay before retry n (1-based), ms; default 200 * 2^(n-1). */
  readonly backoffMs?: (attempt: number) => number;
  readonly signal?: AbortSignal;
  readonly fetch?: typeof fetch;
}

export function imdsEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  return (env.AWS_EC2_METADATA_SERVICE_ENDPOINT ?? DEFAULT_IMDS_ENDPOINT).replace(/\/+$/, '');
}

class TransientImdsError extends Error {}

export class ImdsClient {
  private readonly endpoint: string;
  private readonly fetch: typeof fetch;
  private token: string | undefined;
  private v1 = false;

  constructor(private readonly opts: ImdsClientOptions = {}) {
    this.endpoint = (opts.endpoint ?? imdsEndpoint()).replace(/\/+$/, '');
    this.fetch = opts.fetch ?? globalThis.fetch;
  }

  /** GET a metadata path (e.g. `meta-data/instance-id`) as text. */
  async get(path: string, retriedToken = false): Promise<string> {
    if (this.token === undefined && !this.v1) await this.fetchToken();
    const headers: Record<string, string> = {};
    if (this.token !== undefined) headers['x-aws-ec2-metadata-token'] = this.token;
    const res = await this.request('GET', `/latest/${path}`, headers);
    if (res.status === 401 && this.token !== undefined && !retriedToken) {
      // The token expired between requests: take a new one, once.
      this.token = undefined;
      return this.get(path, true);
    }
    if (res.status !== 200) {
      throw new BuildError(`the instance metadata service answered ${res.status} for /latest/${path}`);
    }
    return res.body.trim();
  }

  async identity(): Promise<InstanceIdentity> {
    const instanceId = await this.get('meta-data/instance-id');
    const availabilityZone = await this.get('meta-data/placement/availability-zone');
    // placement/region exists since 2019; derive it from the zone on metadata services without it.
    const region = await this.get('meta-data/placement/region').catch(() =>
      availabilityZone.replace(/[a-z]$/, ''),
    );
    if (!/^i-[0-9a-f]+$/.test(instanceId)) {
      throw new BuildError(`the instance metadata service gave an unexpected instance id "${instanceId}"`);
    }
    return { instanceId, region, availabilityZone };
  }

  private async fetchToken(): Promise<void> {
    let res: { status: number; body: string };
    try {
      res = await this.request('PUT', '/latest/api/token', {
        'x-aws-ec2-metadata-token-ttl-seconds': String(TOKEN_TTL_SECONDS),
      });
    } catch (err) {
      if (!this.opts.allowV1 || !(err instanceof BuildError)) throw err;
      res = { status: 0, body: '' };
    }
    if (res.status === 200 && res.body !== '') {
      this.token = res.body;
      return;
    }
    if (this.opts.allowV1) {
      this.v1 = true;
      return;
    }
    throw new BuildError(
      `the instance metadata service refused an IMDSv2 token (${res.status === 0 ? 'no answer' : `HTTP ${res.status}`}) at ${this.endpoint}`,
      'run on an EC2 instance with the metadata service enabled (HttpEndpoint=enabled, HttpPutResponseHopLimit >= 2 in containers)',
    );
  }

  private async request(
    method: string,
    path: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; body: string }> {
    const attempts = this.opts.attempts ?? 3;
    const backoff = this.opts.backoffMs ?? ((n: number) => 200 * 2 ** (n - 1));
    let last: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await sleep(backoff(attempt - 1), this.opts.signal);
      try {
        return await this.once(method, path, headers);
      } catch (err) {
        if (!(err instanceof TransientImdsError)) throw err;
        last = err;
      }
    }
    throw new BuildError(
      `the instance metadata service at ${this.endpoint} did not answer ${method} ${path} after ${attempts} attempts: ${(last as Error).message}`,
      'the ebs backing needs to run on the EC2 instance the volume is attached to',
    );
  }

  private async once(
    method: string,
    path: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; body: string }> {
    const timeout = AbortSignal.timeout(this.opts.timeoutMs ?? 2000);
    const signal = this.opts.signal ? AbortSignal.any([this.opts.signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await this.fetch(`${this.endpoint}${path}`, { method, headers, signal });
    } catch (err) {
      if (this.opts.signal?.aborted) throw err;
      throw new TransientImdsError(timeout.aborted ? 'timed out' : String((err as Error).message));
    }
    const body = await res.text();
    if (res.status === 429 || res.status >= 500) throw new TransientImdsError(`HTTP ${res.status}`);
    return { status: res.status, body };
  }
}

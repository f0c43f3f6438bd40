/**
 * moto, the AWS emulator, as a real HTTP server for integration tests: one `moto_server` process per
 * test file on a free 127.0.0.1 port, from the venv scripts/setup-host.sh creates (.venv). Every AWS
 * service answers on that one port (moto picks the service from the SigV4 credential scope).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const MOTO_SERVER = join(ROOT, '.venv', 'bin', 'moto_server');

/** Why moto tests cannot run here, or false when they can. */
export const motoSkip: string | false = existsSync(MOTO_SERVER)
  ? false
  : 'needs moto (run scripts/setup-host.sh: it creates .venv with moto[server])';

/** Credentials moto accepts (it does not check signatures); never real ones. */
export const MOTO_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'AKIAMOTOTESTKEY00001',
  AWS_SECRET_ACCESS_KEY: 'moto-test-secret-not-real',
  AWS_REGION: 'us-east-1',
} as const;

export interface Moto {
  readonly endpoint: string;
  readonly port: number;
  /** Environment for a child `bootstrap` process: moto's endpoint and test credentials. */
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
  /** Forgets every resource (POST /moto-api/reset). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startMoto(extraEnv: Record<string, string> = {}): Promise<Moto> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(MOTO_SERVER, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...extraEnv },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}): ${stderr}`);
    try {
      const r = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto_server did not answer on ${endpoint} within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    endpoint,
    port,
    env(extra = {}) {
      return { ...process.env, ...MOTO_CREDENTIALS, AWS_ENDPOINT_URL: endpoint, ...extra };
    },
    async reset() {
      await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

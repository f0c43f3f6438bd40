/**
 * The EC2 init scripts as they are written into the image, run on this host with dash against the boot
 * test's metadata server (and a v1-only stub): tokens, the IMDSv1 fallback, retries through 5xx and
 * slow answers, giving up, keys merged into authorized_keys, user-data gunzipped, run once per
 * instance, saved and not run when it is not a script.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { userInfo, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { metadataTree, type InstanceIdentity } from '../../../../src/boottest/imds-data.js';
import { startImdsServer, type ImdsFaults, type ImdsServer } from '../../../../src/boottest/imds-server.js';
import { initScriptFiles, LIB_DIR } from '../../../../plugins/ec2/guest/guest-files.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBootTestKeyOnlyForUnitTests0000000000 unit';

function identity(userData?: string | Buffer): InstanceIdentity {
  return {
    instanceId: 'i-0123456789abcdef0',
    imageId: 'ami-0123',
    instanceType: 't3.micro',
    region: 'eu-west-1',
    availabilityZone: 'eu-west-1b',
    mac: '52:54:00:00:00:01',
    localIpv4: '169.254.0.15',
    architecture: 'x86_64',
    publicKey: KEY,
    ...(userData !== undefined ? { userData } : {}),
  };
}

let dir: string;
let lib: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ec2-guest-scripts-'));
  lib = join(dir, 'lib');
  mkdirSync(lib);
  for (const f of initScriptFiles().filter((f) => f.path.startsWith(LIB_DIR))) {
    const path = join(lib, f.path.slice(LIB_DIR.length + 1));
    writeFileSync(path, f.content);
    chmodSync(path, f.mode);
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  log: string;
  home: string;
  state: string;
}

/** Runs dash asynchronously: the metadata server answers from this same event loop. */
function dash(script: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('dash', [join(lib, script)], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

let runs = 0;
async function run(
  script: string,
  url: string,
  extra: Record<string, string> = {},
  state?: string,
  home?: string,
): Promise<Run> {
  const homeDir = home ?? join(dir, `home-${++runs}`);
  const stateDir = state ?? join(dir, `state-${++runs}`);
  mkdirSync(homeDir, { recursive: true });
  const r = await dash(script, {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    EC2_IMDS_URL: url,
    EC2_INIT_LIB: lib,
    EC2_INIT_USER: userInfo().username,
    EC2_INIT_HOME: homeDir,
    EC2_INIT_STATE: stateDir,
    EC2_IMDS_MAX_DELAY: '1',
    EC2_IMDS_TIMEOUT: '1',
    ...extra,
  });
  return { code: r.code, log: r.stderr, home: homeDir, state: stateDir };
}

async function serve(userData?: string | Buffer, faults?: ImdsFaults): Promise<ImdsServer> {
  return startImdsServer({
    tree: metadataTree(identity(userData)),
    requireV2: true,
    ...(faults ? { faults } : {}),
  });
}

describe('fetch-ssh-key', () => {
  it('installs the key with an IMDSv2 token, and keeps keys already there', async () => {
    const s = await serve();
    try {
      const first = await run('fetch-ssh-key', s.url);
      assert.equal(first.code, 0, first.log);
      const file = join(first.home, '.ssh', 'authorized_keys');
      assert.equal(readFileSync(file, 'utf8'), `${KEY}\n`);
      assert.ok(s.requests.filter((r) => r.method === 'GET').every((r) => r.token));
      writeFileSync(file, `ssh-rsa AAAAB3Nza mine\n${KEY}\n`);
      const r = await run('fetch-ssh-key', s.url, {}, undefined, first.home);
      assert.equal(r.code, 0, r.log);
      assert.equal(
        readFileSync(file, 'utf8'),
        `ssh-rsa AAAAB3Nza mine\n${KEY}\n`,
        'no duplicate, nothing lost',
      );
      assert.match(r.log, /0 added/);
    } finally {
      await s.close();
    }
  });

  it('retries through 5xx answers and an answer slower than its timeout', async () => {
    const s = await serve(undefined, { failFirst: 3, failStatus: 503, slowFirst: 1, slowMs: 2500 });
    try {
      const r = await run('fetch-ssh-key', s.url);
      assert.equal(r.code, 0, r.log);
      assert.equal(readFileSync(join(r.home, '.ssh', 'authorized_keys'), 'utf8'), `${KEY}\n`);
      assert.equal(s.requests.filter((q) => q.status === 503).length, 3);
      assert.ok(s.requests.some((q) => q.slow));
      assert.match(r.log, /attempt 1 failed \(HTTP token 503\)/);
      assert.match(r.log, /HTTP token 000|HTTP 000/, 'the slow answer timed out and was retried');
    } finally {
      await s.close();
    }
  });

  it('falls back to IMDSv1 when the service has no token API', async () => {
    const seen: { method: string; token: boolean }[] = [];
    const stub: Server = createServer((req, res) => {
      seen.push({ method: req.method ?? '', token: req.headers['x-aws-ec2-metadata-token'] !== undefined });
      if (req.method === 'PUT') {
        res.writeHead(405).end();
      } else if (req.url === '/latest/meta-data/public-keys/') {
        res.end('0=old');
      } else if (req.url === '/latest/meta-data/public-keys/0/openssh-key') {
        res.end(KEY);
      } else res.writeHead(404).end();
    });
    await new Promise<void>((ok) => stub.listen(0, '127.0.0.1', ok));
    try {
      const r = await run('fetch-ssh-key', `http://127.0.0.1:${(stub.address() as AddressInfo).port}`);
      assert.equal(r.code, 0, r.log);
      assert.equal(readFileSync(join(r.home, '.ssh', 'authorized_keys'), 'utf8'), `${KEY}\n`);
      assert.match(r.log, /no token API \(HTTP 405\): using IMDSv1/);
      assert.deepEqual(
        seen.filter((q) => q.method === 'PUT').length,
        1,
        'asks for a token once, then stays on v1',
      );
    } finally {
      await new Promise<void>((ok) => stub.close(() => ok()));
    }
  });

  it('gives up after the configured attempts when nothing answers, with a non-zero exit', async () => {
    const r = await run('fetch-ssh-key', 'http://127.0.0.1:9', { EC2_IMDS_ATTEMPTS: '3' });
    assert.equal(r.code, 1);
    assert.match(r.log, /giving up after 3 attempts/);
    assert.equal(existsSync(join(r.home, '.ssh', 'authorized_keys')), false);
  });
});

describe('run-user-data', () => {
  const marker = () => join(dir, 'user-data-count');
  const script = () =>
    `#!/bin/sh\nn=$(cat ${marker()} 2>/dev/null || echo 0)\necho $((n + 1)) > ${marker()}\necho ran\n`;

  it('gunzips a script, runs it once per instance, and not again on the next boot', async () => {
    const s = await serve(gzipSync(script()));
    try {
      const state = join(dir, 'state-gzip');
      const first = await run('run-user-data', s.url, {}, state);
      assert.equal(first.code, 0, first.log);
      assert.match(first.log, /gzip-compressed/);
      assert.equal(readFileSync(marker(), 'utf8'), '1\n');
      assert.equal(readFileSync(join(state, 'user-data'), 'utf8'), script(), 'saved decompressed');
      const second = await run('run-user-data', s.url, {}, state);
      assert.equal(second.code, 0, second.log);
      assert.match(second.log, /already ran on instance i-0123456789abcdef0/);
      assert.equal(readFileSync(marker(), 'utf8'), '1\n');
    } finally {
      await s.close();
    }
  });

  it('saves user-data that is not a script and does not run it', async () => {
    const trace = join(dir, 'not-a-script-ran');
    const text = `touch ${trace}\n`;
    const s = await serve(text);
    try {
      const r = await run('run-user-data', s.url);
      assert.equal(r.code, 0, r.log);
      assert.match(r.log, /not a script \(no #! line\): saved/);
      assert.equal(readFileSync(join(r.state, 'user-data'), 'utf8'), text);
      assert.equal(existsSync(trace), false);
    } finally {
      await s.close();
    }
  });

  it('does nothing, successfully, when the instance has no user-data', async () => {
    const s = await serve();
    try {
      const r = await run('run-user-data', s.url);
      assert.equal(r.code, 0, r.log);
      assert.match(r.log, /no user-data/);
      assert.equal(existsSync(join(r.state, 'user-data')), false);
    } finally {
      await s.close();
    }
  });

  it('reports a failing user-data script through its exit status', async () => {
    const s = await serve('#!/bin/sh\nexit 3\n');
    try {
      const r = await run('run-user-data', s.url);
      assert.equal(r.code, 3, r.log);
      assert.match(r.log, /user-data exited with status 3/);
    } finally {
      await s.close();
    }
  });
});

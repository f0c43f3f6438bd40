import assert from 'node:assert/strict';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Ajv } from 'ajv';
import {
  BuildState,
  ROOT_DIR,
  type CheckReporter,
  type Task,
  type TaskSet,
} from '../../../../src/api/index.js';
import { baseManifestData, tempDir, testContext, testManifest } from '../../../helpers/fake-context.js';
import { aptProxyPlugin } from '../../../../plugins/apt_proxy/index.js';
import { aptProxyUrl, proxyUrl, renderProxyConf } from '../../../../plugins/apt_proxy/proxy-config.js';
import { probeHttp } from '../../../../plugins/apt_proxy/reachability.js';
import { schema } from '../../../../plugins/apt_proxy/schema.js';
import { checkAptProxy, removeAptProxy, writeAptProxy } from '../../../../plugins/apt_proxy/tasks.js';

const manifest = (settings: Record<string, unknown>) =>
  testManifest({ ...baseManifestData, plugins: { apt_proxy: settings } });

let root: string;
let cleanup: () => Promise<void>;
// Inside a describe: scripts/run-tests.mjs runs several files per process.
describe('apt_proxy', () => {
  beforeEach(async () => ({ path: root, cleanup } = await tempDir('apt-proxy-')));
  afterEach(() => cleanup());

  function context(settings: Record<string, unknown>) {
    const state = new BuildState();
    state.set(ROOT_DIR, root);
    return testContext({ manifest: manifest(settings), state });
  }

  describe('apt_proxy configuration', () => {
    it("writes bootstrap-vz's line, with http:// added to a bare address as upstream did", () => {
      const s = { address: '127.0.0.1', port: 3142 };
      assert.equal(proxyUrl(s), 'http://127.0.0.1:3142');
      assert.equal(proxyUrl({ address: 'http://cache.lan', port: 3128 }), 'http://cache.lan:3128');
      assert.match(renderProxyConf(s), /^Acquire::http \{ Proxy "http:\/\/127\.0\.0\.1:3142"; \};$/m);
    });

    it('puts credentials in the URL percent-encoded, and only when both are set', () => {
      const s = { address: '10.0.0.1', port: 8080, username: 'me@corp', password: 'p:ss/w@rd' };
      assert.equal(aptProxyUrl(s), 'http://me%40corp:p%3Ass%2Fw%40rd@10.0.0.1:8080');
      assert.equal(aptProxyUrl({ address: '10.0.0.1', port: 8080, username: 'me' }), 'http://10.0.0.1:8080');
      assert.equal(proxyUrl(s), 'http://10.0.0.1:8080', 'messages never carry them');
    });

    it('schema: host names, IPs and [IPv6], optional http://; no paths, other schemes or spaces', () => {
      const validate = new Ajv({ strict: false }).compile(schema);
      for (const address of ['127.0.0.1', 'apt-cacher.lan', '[::1]', 'http://127.0.0.1'])
        assert.ok(validate({ address, port: 3142 }), address);
      for (const address of ['https://proxy', 'http://proxy/path', 'a b', '-x', ''])
        assert.ok(!validate({ address, port: 3142 }), address);
      assert.ok(!validate({ address: 'x', port: 0 }));
    });
  });

  describe('apt_proxy tasks', () => {
    it('writes 02proxy for the build, root-only when it holds a password, and removes it', async () => {
      const ctx = context({ address: '127.0.0.1', port: 3142 });
      await writeAptProxy.run(ctx);
      const file = join(root, 'etc/apt/apt.conf.d/02proxy');
      assert.match(await readFile(file, 'utf8'), /Proxy "http:\/\/127\.0\.0\.1:3142"/);
      assert.equal((await stat(file)).mode & 0o777, 0o644);

      const withAuth = context({ address: '127.0.0.1', port: 3142, username: 'u', password: 'secret' });
      await writeAptProxy.run(withAuth);
      assert.match(await readFile(file, 'utf8'), /http:\/\/u:secret@127\.0\.0\.1:3142/);
      assert.equal((await stat(file)).mode & 0o777, 0o600);

      await removeAptProxy.run(ctx);
      await assert.rejects(stat(file), { code: 'ENOENT' });
      await removeAptProxy.run(ctx); // idempotent
      assert.deepEqual(ctx.runner.calls, [], 'no commands');
    });

    it('orders the file before every apt run and the removal after the last', () => {
      assert.deepEqual(writeAptProxy.before, [
        'base/apt-update',
        'base/apt-upgrade',
        'base/install-packages',
      ]);
      assert.equal(writeAptProxy.phase, 'package-installation');
      assert.equal(removeAptProxy.phase, 'system-cleaning');
    });
  });

  describe('apt_proxy reachability', () => {
    let server: Server;
    let port: number;
    beforeEach(async () => {
      // Like apt-cacher-ng: its root answers 404 "Usage Information", which still means it is there.
      server = createServer((_req, res) => res.writeHead(404, 'Usage Information').end());
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as AddressInfo).port;
    });
    afterEach(() => new Promise<void>((r) => server.close(() => r())));

    it('counts any HTTP answer as reachable, and a refused connection as not', async () => {
      assert.deepEqual(await probeHttp(`http://127.0.0.1:${port}`), { ok: true, status: 404 });
      await new Promise<void>((r) => server.close(() => r()));
      const down = await probeHttp(`http://127.0.0.1:${port}`);
      assert.deepEqual(down, { ok: false, reason: 'ECONNREFUSED' });
      server = createServer().listen(0); // for afterEach
    });

    it('only warns when the proxy is down, as bootstrap-vz did', async () => {
      const up = context({ address: '127.0.0.1', port });
      await checkAptProxy.run(up);
      assert.deepEqual(up.logs, [`debug: apt proxy http://127.0.0.1:${port} answered with HTTP 404`]);
      await new Promise<void>((r) => server.close(() => r()));
      const down = context({ address: '127.0.0.1', port });
      await checkAptProxy.run(down);
      assert.match(
        down.logs[0] ?? '',
        /^warn: the apt proxy http:\/\/127\.0\.0\.1:\d+ cannot be reached \(ECONNREFUSED\)/,
      );
      server = createServer().listen(0);
    });
  });

  describe('apt_proxy plugin', () => {
    function planned(settings: Record<string, unknown>): string[] {
      const ids: string[] = [];
      const set: TaskSet = {
        add: (...t: Task[]) => void ids.push(...t.map((x) => x.id)),
        remove: () => {},
        has: () => false,
      };
      aptProxyPlugin.resolveTasks(manifest(settings), set);
      return ids;
    }
    function check(settings: Record<string, unknown>): string[] {
      const out: string[] = [];
      const report: CheckReporter = {
        error: (p, m) => void out.push(`error ${p}: ${m}`),
        warn: (p, m) => void out.push(`warn ${p}: ${m}`),
      };
      aptProxyPlugin.check?.(manifest(settings), report);
      return out;
    }

    it('removes the configuration at the end unless persistent', () => {
      const all = [
        'apt_proxy/check-proxy',
        'apt_proxy/defer-packages',
        'apt_proxy/write-config',
        'apt_proxy/remove-config',
      ];
      assert.deepEqual(planned({ address: 'x', port: 1 }), all);
      assert.deepEqual(planned({ address: 'x', port: 1, persistent: false }), all);
      assert.deepEqual(planned({ address: 'x', port: 1, persistent: true }), all.slice(0, 3));
    });

    it('warns about a lone username or password and a password left in the image', () => {
      assert.deepEqual(check({ address: 'x', port: 1 }), []);
      assert.deepEqual(check({ address: 'x', port: 1, username: 'u' }), [
        'warn /plugins/apt_proxy/username: username is ignored without password',
      ]);
      assert.deepEqual(check({ address: 'x', port: 1, password: 'p' }), [
        'warn /plugins/apt_proxy/password: password is ignored without username',
      ]);
      assert.match(
        check({ address: 'x', port: 1, username: 'u', password: 'p', persistent: true })[0] ?? '',
        /stays in the image/,
      );
    });
  });

  // The image already has apt.conf.d files (from apt and the bootstrap): they must survive.
  it('apt_proxy/write-config leaves other apt.conf.d files alone', async () => {
    const { path, cleanup: done } = await tempDir('apt-proxy-');
    try {
      await mkdir(join(path, 'etc/apt/apt.conf.d'), { recursive: true });
      await writeFile(join(path, 'etc/apt/apt.conf.d/01autoremove'), 'x\n');
      const state = new BuildState();
      state.set(ROOT_DIR, path);
      await writeAptProxy.run(testContext({ manifest: manifest({ address: 'x', port: 1 }), state }));
      assert.equal(await readFile(join(path, 'etc/apt/apt.conf.d/01autoremove'), 'utf8'), 'x\n');
    } finally {
      await done();
    }
  });
});

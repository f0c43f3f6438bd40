import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ENABLED_UNITS, PACKAGES, ROOT_DIR, type ManifestData } from '../../../../src/api/index.js';
import { loadManifest } from '../../../../src/manifest/load-manifest.js';
import { BUILTIN_PLUGINS, createRegistry } from '../../../../src/registry/builtin-registry.js';
import {
  DROP_IN_PATH,
  dockerOptsProblem,
  renderDropIn,
} from '../../../../plugins/docker_daemon/docker-opts.js';
import { dockerDaemonPlugin } from '../../../../plugins/docker_daemon/index.js';
import { addDockerPackages, writeDockerOpts } from '../../../../plugins/docker_daemon/tasks.js';
import { baseManifestData, tempDir, testContext, testManifest } from '../../../helpers/fake-context.js';

const BASE_MANIFEST = new URL('../../../../manifests/debian-qemu.yml', import.meta.url).pathname;
const withDocker = (settings: Record<string, unknown>): ManifestData => ({
  ...baseManifestData,
  plugins: { docker_daemon: settings },
});

describe('docker_daemon: docker_opts drop-in', () => {
  it('sets DOCKER_OPTS for docker.service, with % escaped for systemd', () => {
    assert.equal(
      renderDropIn('  --log-driver=journald   --log-opt tag=%s '),
      '# Written by bootstrap from the manifest (plugins.docker_daemon.docker_opts).\n' +
        '[Service]\n' +
        'Environment="DOCKER_OPTS=--log-driver=journald --log-opt tag=%%s"\n',
    );
  });

  it('refuses quotes, backslashes and newlines, which systemd would not split like a shell', () => {
    assert.equal(dockerOptsProblem('--dns 1.1.1.1 --mtu=1400'), undefined);
    assert.match(dockerOptsProblem('--label "a b"') ?? '', /quotes/);
    assert.match(dockerOptsProblem('--a \\\n--b') ?? '', /one line/);
  });
});

describe('docker_daemon tasks', () => {
  it("adds Debian's docker.io and enables docker.service and docker.socket", async () => {
    const ctx = testContext({ manifest: testManifest(withDocker({})) });
    await addDockerPackages.run(ctx);
    assert.deepEqual([...ctx.state.get(PACKAGES)], ['docker.io']);
    assert.deepEqual([...ctx.state.get(ENABLED_UNITS)].sort(), ['docker.service', 'docker.socket']);
  });

  it('writes the drop-in into the image, before the units are enabled', async () => {
    const dir = await tempDir();
    try {
      const ctx = testContext({
        manifest: testManifest(withDocker({ docker_opts: '--log-driver=journald' })),
      });
      ctx.state.set(ROOT_DIR, dir.path);
      await writeDockerOpts.run(ctx);
      const file = join(dir.path, DROP_IN_PATH);
      assert.match(await readFile(file, 'utf8'), /^Environment="DOCKER_OPTS=--log-driver=journald"$/m);
      assert.equal((await stat(file)).mode & 0o777, 0o644);
      assert.deepEqual(writeDockerOpts.before, ['base/enable-units']);
    } finally {
      await dir.cleanup();
    }
  });

  it('plans the drop-in only when docker_opts says something', () => {
    const planned = (settings: Record<string, unknown>) => {
      const ids: string[] = [];
      dockerDaemonPlugin.resolveTasks(testManifest(withDocker(settings)), {
        add: (...t) => ids.push(...t.map((x) => x.id)),
        remove: () => {},
        has: () => false,
      });
      return ids;
    };
    assert.deepEqual(planned({}), ['docker_daemon/add-packages']);
    assert.deepEqual(planned({ docker_opts: ' ' }), ['docker_daemon/add-packages']);
    assert.deepEqual(planned({ docker_opts: '--iptables=false' }), [
      'docker_daemon/add-packages',
      'docker_daemon/write-docker-opts',
    ]);
  });
});

describe('docker_daemon: manifest checks', () => {
  async function load(yaml: string) {
    const dir = await tempDir();
    try {
      const file = join(dir.path, 'm.yml');
      await writeFile(file, `extends: ${BASE_MANIFEST}\n${yaml}`);
      const registry = createRegistry([...BUILTIN_PLUGINS, dockerDaemonPlugin]);
      return { file, result: await loadManifest(file, { registry, now: new Date('2025-01-01T00:00:00Z') }) };
    } finally {
      await dir.cleanup();
    }
  }

  it("refuses bootstrap-vz's version key at its line, pointing at apt pinning", async () => {
    const { file, result } = await load('plugins:\n  docker_daemon:\n    version: 1.13.1\n');
    assert.equal(result.errors.length, 1, JSON.stringify(result.errors));
    const [issue] = result.errors;
    assert.deepEqual([issue?.pointer, issue?.file, issue?.line], ['/plugins/docker_daemon/version', file, 4]);
    assert.match(issue?.hint ?? '', /packages\.preferences/);
  });

  it('refuses docker_opts with quotes', async () => {
    const { result } = await load(`plugins:\n  docker_daemon:\n    docker_opts: '--label "a b"'\n`);
    assert.deepEqual(
      result.errors.map((e) => e.pointer),
      ['/plugins/docker_daemon/docker_opts'],
    );
  });

  it('refuses releases without docker.io', async () => {
    const { result } = await load('system:\n  release: stretch\nplugins:\n  docker_daemon: {}\n');
    assert.ok(
      result.errors.some((e) => e.pointer === '/system/release' && /docker\.io/.test(e.message)),
      JSON.stringify(result.errors),
    );
  });

  it('loads the shipped example', async () => {
    const registry = createRegistry([...BUILTIN_PLUGINS, dockerDaemonPlugin]);
    const example = new URL('../../../../manifests/examples/docker_daemon.yml', import.meta.url).pathname;
    const result = await loadManifest(example, { registry, now: new Date('2025-01-01T00:00:00Z') });
    assert.deepEqual(result.errors, []);
  });
});

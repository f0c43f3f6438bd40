import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PACKAGES, ROOT_DIR, type ManifestData, type ReleaseInfo } from '../../../../src/api/index.js';
import { loadManifest } from '../../../../src/manifest/load-manifest.js';
import { BUILTIN_PLUGINS, createRegistry } from '../../../../src/registry/builtin-registry.js';
import { pipInstallPlugin } from '../../../../plugins/pip_install/index.js';
import {
  isExternallyManaged,
  pipInstallArgv,
  urlCredentials,
} from '../../../../plugins/pip_install/pip-argv.js';
import {
  addPipPackage,
  installPipPackages,
  installPipPackagesTask,
  LENT_CA_BUNDLE,
} from '../../../../plugins/pip_install/tasks.js';
import {
  baseManifestData,
  tempDir,
  testContext,
  testManifest,
  TestRunner,
} from '../../../helpers/fake-context.js';

const BASE_MANIFEST = new URL('../../../../manifests/debian-qemu.yml', import.meta.url).pathname;
const release = (codename: string, version: string): ReleaseInfo => ({
  codename,
  version,
  requested: codename,
  suite: codename,
});
const bookworm = release('bookworm', '12');
const bullseye = release('bullseye', '11');

describe('pip_install: the pip command', () => {
  it('passes --break-system-packages from bookworm on (PEP 668), not before', () => {
    assert.equal(isExternallyManaged(bookworm), true);
    assert.equal(isExternallyManaged(release('sid', '16')), true);
    assert.equal(isExternallyManaged(bullseye), false);
    assert.deepEqual(pipInstallArgv(['requests==2.31.0', 'awscli'], bookworm), [
      'python3',
      '-m',
      'pip',
      'install',
      '--no-cache-dir',
      '--no-input',
      '--disable-pip-version-check',
      '--break-system-packages',
      '--root-user-action=ignore',
      '--',
      'requests==2.31.0',
      'awscli',
    ]);
    assert.deepEqual(pipInstallArgv(['x'], bookworm, '/tmp/ca.crt').slice(-4), [
      '--cert',
      '/tmp/ca.crt',
      '--',
      'x',
    ]);
    assert.deepEqual(pipInstallArgv(['requests'], bullseye), [
      'python3',
      '-m',
      'pip',
      'install',
      '--no-cache-dir',
      '--no-input',
      '--disable-pip-version-check',
      '--',
      'requests',
    ]);
  });

  it('finds credentials in requirement URLs so they are masked in logs', () => {
    assert.deepEqual(urlCredentials(['git+https://bot:s3cr:et@git.example/repo.git#egg=x', 'requests']), [
      'bot:s3cr:et',
      's3cr:et',
    ]);
    assert.deepEqual(urlCredentials(['pkg @ https://token@files.example/pkg.whl']), ['token']);
    assert.deepEqual(urlCredentials(['requests>=2']), []);
  });
});

describe('pip_install tasks', () => {
  const data: ManifestData = {
    ...baseManifestData,
    plugins: { pip_install: { packages: ['requests==2.31.0', 'git+https://u:pw@h/r.git'] } },
  };

  it('adds python3-pip to the packages', async () => {
    const ctx = testContext({ manifest: testManifest(data) });
    await addPipPackage.run(ctx);
    assert.deepEqual([...ctx.state.get(PACKAGES)], ['python3-pip']);
  });

  it("runs the image's pip in the chroot with the credentials masked", async () => {
    const dir = await tempDir();
    try {
      const runner = new TestRunner();
      const ctx = testContext({ runner, manifest: testManifest(data) });
      ctx.state.set(ROOT_DIR, dir.path);
      await installPipPackagesTask(join(dir.path, 'no-such-bundle.crt')).run(ctx);
      assert.equal(runner.calls.length, 1);
      const call = runner.calls[0];
      assert.equal(call?.chrootRoot, dir.path);
      assert.deepEqual(call?.argv, [
        ...['python3', '-m', 'pip', 'install', '--no-cache-dir', '--no-input', '--disable-pip-version-check'],
        ...[
          '--break-system-packages',
          '--root-user-action=ignore',
          '--',
          'requests==2.31.0',
          'git+https://u:pw@h/r.git',
        ],
      ]);
      assert.deepEqual(call?.options?.secrets, ['u:pw', 'pw']);
      assert.deepEqual(call?.options?.env, { HOME: '/root' });
    } finally {
      await dir.cleanup();
    }
  });

  it("lends the build host's CA bundle to pip during the install only", async () => {
    const dir = await tempDir();
    try {
      const hostBundle = join(dir.path, 'host-ca.crt');
      await writeFile(hostBundle, '-----BEGIN CERTIFICATE-----\nproxy CA\n');
      const root = join(dir.path, 'root');
      await mkdir(join(root, 'tmp'), { recursive: true });
      const lent = join(root, LENT_CA_BUNDLE);
      let seenDuringInstall = '';
      const runner = new TestRunner((argv) => {
        if (argv.includes('pip')) seenDuringInstall = readFileSync(lent, 'utf8');
        return undefined;
      });
      const ctx = testContext({ runner, manifest: testManifest(data) });
      ctx.state.set(ROOT_DIR, root);
      const task = installPipPackagesTask(hostBundle);
      await task.run(ctx);
      assert.equal(seenDuringInstall, '-----BEGIN CERTIFICATE-----\nproxy CA\n');
      assert.deepEqual(runner.calls[0]?.argv.slice(9, 11), ['--cert', LENT_CA_BUNDLE]);
      assert.equal(existsSync(lent), false, 'removed after the install');

      // Removed on failure too, and undo copes with nothing left to remove.
      const failing = new TestRunner(() => ({ exitCode: 1 }));
      failing.chroot = async () => {
        throw new Error('pip failed');
      };
      const failCtx = testContext({ runner: failing, manifest: testManifest(data) });
      failCtx.state.set(ROOT_DIR, root);
      await assert.rejects(task.run(failCtx), /pip failed/);
      assert.equal(existsSync(lent), false);
      await task.undo?.(failCtx);
    } finally {
      await dir.cleanup();
    }
  });

  it('runs after the packages are installed and before apt is cleaned', () => {
    assert.equal(addPipPackage.phase, 'preparation');
    assert.equal(installPipPackages.phase, 'system-modification');
  });
});

describe('pip_install: manifest checks', () => {
  async function load(yaml: string) {
    const dir = await tempDir();
    try {
      const file = join(dir.path, 'm.yml');
      await writeFile(file, `extends: ${BASE_MANIFEST}\n${yaml}`);
      const registry = createRegistry([...BUILTIN_PLUGINS, pipInstallPlugin]);
      return { file, result: await loadManifest(file, { registry, now: new Date('2025-01-01T00:00:00Z') }) };
    } finally {
      await dir.cleanup();
    }
  }

  it('refuses a pip option among the requirements, at its line', async () => {
    const { file, result } = await load(
      'plugins:\n  pip_install:\n    packages:\n      - requests\n      - --index-url=http://evil.example/simple\n',
    );
    const issue = result.errors.find((e) => e.pointer === '/plugins/pip_install/packages/1');
    assert.ok(issue, JSON.stringify(result.errors));
    assert.deepEqual([issue.file, issue.line], [file, 6]);
  });

  it('requires packages', async () => {
    const { result } = await load('plugins:\n  pip_install: {}\n');
    assert.ok(
      result.errors.some((e) => /packages/.test(e.message)),
      JSON.stringify(result.errors),
    );
  });

  it('loads the shipped example', async () => {
    const registry = createRegistry([...BUILTIN_PLUGINS, pipInstallPlugin]);
    const example = new URL('../../../../manifests/examples/pip_install.yml', import.meta.url).pathname;
    const result = await loadManifest(example, { registry, now: new Date('2025-01-01T00:00:00Z') });
    assert.deepEqual(result.errors, []);
  });
});

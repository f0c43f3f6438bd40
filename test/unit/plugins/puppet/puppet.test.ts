import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  BuildError,
  ENABLED_UNITS,
  PACKAGES,
  ROOT_DIR,
  type ManifestData,
  type ReleaseInfo,
} from '../../../../src/api/index.js';
import { puppetPlugin } from '../../../../plugins/puppet/index.js';
import {
  applyArgv,
  assetCopies,
  certnameFrom,
  copyArgv,
  moduleInstallArgv,
  puppetPackage,
} from '../../../../plugins/puppet/puppet-argv.js';
import {
  addPuppetPackage,
  applyManifest,
  checkPaths,
  copyAssets,
  installModules,
} from '../../../../plugins/puppet/tasks.js';
import {
  baseManifestData,
  tempDir,
  testContext,
  testManifest,
  TestRunner,
} from '../../../helpers/fake-context.js';
import { loadWith, planWith } from '../../../helpers/plan-manifest.js';

const release = (codename: string, version: string): ReleaseInfo => ({
  codename,
  version,
  requested: codename,
  suite: codename,
});
const CHROOT_ENV = { env: { HOME: '/root' } };

function manifestWith(settings: Record<string, unknown>, file = '/srv/manifests/image.yml') {
  const data: ManifestData = { ...baseManifestData, plugins: { puppet: settings } };
  return testManifest(data, file);
}

describe('puppet: commands and paths', () => {
  it("installs Debian's puppet-agent from bookworm on, puppet before", () => {
    assert.equal(puppetPackage(release('bookworm', '12')), 'puppet-agent');
    assert.equal(puppetPackage(release('trixie', '13')), 'puppet-agent');
    assert.equal(puppetPackage(release('bullseye', '11')), 'puppet');
  });

  it('installs modules as bootstrap-vz did, with an optional version', () => {
    assert.deepEqual(moduleInstallArgv(['puppetlabs-stdlib']), [
      'puppet',
      'module',
      'install',
      '--force',
      'puppetlabs-stdlib',
    ]);
    assert.deepEqual(moduleInstallArgv(['puppetlabs-concat', '9.0.0']), [
      'puppet',
      'module',
      'install',
      '--force',
      'puppetlabs-concat',
      '--version',
      '9.0.0',
    ]);
  });

  it('maps the /etc/puppetlabs layout of the assets onto Debian paths', () => {
    assert.deepEqual(assetCopies(['puppet', 'facter', 'code'], '/tmp/s/assets'), [
      { from: '/tmp/s/assets/code', to: '/etc/puppet/code' },
      { from: '/tmp/s/assets/facter', to: '/etc/puppetlabs/facter' },
      { from: '/tmp/s/assets/puppet', to: '/etc/puppet' },
    ]);
    assert.deepEqual(copyArgv({ from: '/tmp/s/assets/puppet', to: '/etc/puppet' }), [
      'cp',
      '-R',
      '--preserve=mode,timestamps',
      '--no-target-directory',
      '/tmp/s/assets/puppet',
      '/etc/puppet',
    ]);
  });

  it('applies with detailed exit codes, its state kept out of the image, as the image host', () => {
    assert.deepEqual(applyArgv('/tmp/.puppet-bootstrap/site.pp', 'web01'), [
      'puppet',
      'apply',
      '--detailed-exitcodes',
      '--verbose',
      '--color=false',
      '--vardir=/tmp/.puppet-bootstrap/var',
      '--publicdir=/tmp/.puppet-bootstrap/var/public',
      '--certname=web01',
      '/tmp/.puppet-bootstrap/site.pp',
    ]);
    assert.ok(!applyArgv('/tmp/x.pp', undefined).some((a) => a.startsWith('--certname')));
  });

  it('takes the certname from /etc/hostname only when it is a plain hostname', () => {
    assert.equal(certnameFrom('Web01.example.org\n'), 'web01.example.org');
    assert.equal(certnameFrom(''), undefined);
    assert.equal(certnameFrom('-x'), undefined);
    assert.equal(certnameFrom('a b'), undefined);
  });
});

describe('puppet: tasks', () => {
  it('adds the package, and puppet.service to the enabled units only with enable_agent', async () => {
    const off = testContext({ manifest: manifestWith({ manifest: '/x.pp' }) });
    await addPuppetPackage.run(off);
    assert.deepEqual([...off.state.get(PACKAGES)], ['puppet-agent']);
    assert.deepEqual([...off.state.get(ENABLED_UNITS)], []);
    const on = testContext({ manifest: manifestWith({ enable_agent: true }) });
    await addPuppetPackage.run(on);
    assert.deepEqual([...on.state.get(ENABLED_UNITS)], ['puppet.service']);
  });

  it('check-paths resolves relative paths, refuses missing ones and a /etc/puppet-style assets directory', async () => {
    const dir = await tempDir();
    try {
      const file = join(dir.path, 'image.yml');
      await mkdir(join(dir.path, 'assets/puppet'), { recursive: true });
      await mkdir(join(dir.path, 'flat'));
      await writeFile(join(dir.path, 'flat/puppet.conf'), '');
      await writeFile(join(dir.path, 'site.pp'), '');
      await checkPaths.run(
        testContext({ manifest: manifestWith({ manifest: 'site.pp', assets: 'assets' }, file) }),
      );
      await assert.rejects(
        checkPaths.run(
          testContext({ manifest: manifestWith({ manifest: 'nope.pp', assets: 'site.pp' }, file) }),
        ),
        (err: unknown) =>
          err instanceof BuildError &&
          err.message.includes(`${join(dir.path, 'nope.pp')} is not a file`) &&
          err.message.includes(`${join(dir.path, 'site.pp')} is not a directory`),
      );
      await assert.rejects(
        checkPaths.run(testContext({ manifest: manifestWith({ assets: 'flat' }, file) })),
        /puppet\.conf at the top of .*belong in its puppet\/ directory/,
      );
    } finally {
      await dir.cleanup();
    }
  });

  it('installs each module in the chroot', async () => {
    const ctx = testContext({
      manifest: manifestWith({ install_modules: [['puppetlabs-stdlib'], ['puppetlabs-concat', '9.0.0']] }),
    });
    ctx.state.set(ROOT_DIR, '/r');
    await installModules.run(ctx);
    assert.deepEqual(ctx.runner.lines(), [
      '[chroot] puppet module install --force puppetlabs-stdlib',
      '[chroot] puppet module install --force puppetlabs-concat --version 9.0.0',
    ]);
    assert.ok(ctx.runner.calls.every((c) => c.chrootRoot === '/r'));
    assert.deepEqual(ctx.runner.calls[0]?.options, CHROOT_ENV);
  });

  it('stages the assets in the image /tmp and copies them with the chroot cp, then removes the stage', async () => {
    const dir = await tempDir();
    try {
      const root = join(dir.path, 'root');
      const assets = join(dir.path, 'assets');
      await mkdir(join(root, 'tmp'), { recursive: true });
      await mkdir(join(assets, 'puppet'), { recursive: true });
      await mkdir(join(assets, 'facter'));
      const ctx = testContext({ manifest: manifestWith({ assets: 'assets' }, join(dir.path, 'image.yml')) });
      ctx.state.set(ROOT_DIR, root);
      await copyAssets.run(ctx);
      const stage = '/tmp/.puppet-bootstrap/assets';
      assert.deepEqual(
        ctx.runner.calls.map((c) => [c.chrootRoot ?? 'host', ...c.argv]),
        [
          [
            'host',
            'cp',
            '-R',
            '--preserve=mode,timestamps',
            '--no-target-directory',
            assets,
            join(root, stage),
          ],
          [root, 'mkdir', '-p', '/etc/puppetlabs'],
          [root, ...copyArgv({ from: `${stage}/facter`, to: '/etc/puppetlabs/facter' })],
          [root, 'mkdir', '-p', '/etc'],
          [root, ...copyArgv({ from: `${stage}/puppet`, to: '/etc/puppet' })],
        ],
      );
      assert.equal(existsSync(join(root, '/tmp/.puppet-bootstrap')), false);
    } finally {
      await dir.cleanup();
    }
  });

  it('applies a copy of the manifest in the chroot as the image hostname, accepting exit 2, then removes it', async () => {
    const dir = await tempDir();
    try {
      const root = join(dir.path, 'root');
      await mkdir(join(root, 'tmp'), { recursive: true });
      await mkdir(join(root, 'etc'));
      await writeFile(join(root, 'etc/hostname'), 'web01\n');
      await writeFile(join(dir.path, 'site.pp'), "file { '/etc/motd': content => 'x' }\n");
      let staged: string | undefined;
      const runner = new TestRunner(() => {
        staged = readFileSync(join(root, 'tmp/.puppet-bootstrap/site.pp'), 'utf8');
        return { exitCode: 2 };
      });
      const ctx = testContext({
        manifest: manifestWith({ manifest: 'site.pp' }, join(dir.path, 'image.yml')),
        runner,
      });
      ctx.state.set(ROOT_DIR, root);
      await applyManifest.run(ctx);
      assert.equal(runner.calls.length, 1);
      assert.equal(runner.calls[0]?.chrootRoot, root);
      assert.deepEqual(runner.calls[0]?.argv, applyArgv('/tmp/.puppet-bootstrap/site.pp', 'web01'));
      assert.deepEqual(runner.calls[0]?.options, { env: { HOME: '/root' }, okExitCodes: [0, 2] });
      assert.equal(staged, "file { '/etc/motd': content => 'x' }\n");
      assert.equal(existsSync(join(root, 'tmp/.puppet-bootstrap')), false);
    } finally {
      await dir.cleanup();
    }
  });

  it('undo removes a staging directory a failed run left', async () => {
    const dir = await tempDir();
    try {
      await mkdir(join(dir.path, 'tmp/.puppet-bootstrap/var'), { recursive: true });
      const ctx = testContext({ manifest: manifestWith({ manifest: '/x.pp' }) });
      ctx.state.set(ROOT_DIR, dir.path);
      await applyManifest.undo?.(ctx);
      assert.equal(existsSync(join(dir.path, 'tmp/.puppet-bootstrap')), false);
      await applyManifest.undo?.(ctx); // idempotent
    } finally {
      await dir.cleanup();
    }
  });
});

describe('puppet: manifests', () => {
  const example = new URL('../../../../manifests/examples/puppet.yml', import.meta.url).pathname;
  const base = new URL('../../../../manifests/debian-qemu.yml', import.meta.url).pathname;

  it('the example validates and plans: assets copied before the manifest is applied, after the packages', async () => {
    const { load, plan } = await planWith(example, puppetPlugin);
    assert.deepEqual(load.errors, []);
    const ids = plan?.tasks.map((t) => t.task.id) ?? [];
    const at = (id: string) => ids.indexOf(id);
    assert.ok(at('puppet/check-paths') >= 0 && at('puppet/add-packages') >= 0);
    assert.equal(at('puppet/install-modules'), -1, 'no modules in the example');
    assert.ok(at('base/install-packages') < at('puppet/copy-assets'));
    assert.ok(at('puppet/copy-assets') < at('puppet/apply-manifest'));
    assert.ok(at('puppet/apply-manifest') < at('base/clean-tmp'));
    for (const f of ['site.pp', 'assets/puppet/puppet.conf']) {
      assert.ok(existsSync(new URL(`../../../../manifests/examples/files/puppet/${f}`, import.meta.url)), f);
    }
  });

  it('plans only what is asked: modules alone install modules, no apply', async () => {
    const dir = await tempDir();
    try {
      const file = join(dir.path, 'm.yml');
      await writeFile(
        file,
        `extends: ${base}\nplugins:\n  puppet:\n    install_modules: [[puppetlabs-stdlib]]\n`,
      );
      const ids = (await planWith(file, puppetPlugin)).plan?.tasks.map((t) => t.task.id) ?? [];
      assert.deepEqual(
        ids.filter((id) => id.startsWith('puppet/')),
        ['puppet/add-packages', 'puppet/install-modules'],
      );
    } finally {
      await dir.cleanup();
    }
  });

  it('reports a module name read as an option, and an empty puppet section, at their line', async () => {
    const dir = await tempDir();
    try {
      const file = join(dir.path, 'm.yml');
      await writeFile(
        file,
        `extends: ${base}\nplugins:\n  puppet:\n    install_modules:\n      - [puppetlabs-stdlib]\n      - [--target-dir=/x]\n`,
      );
      const result = await loadWith(file, puppetPlugin);
      assert.deepEqual(
        result.errors.map((e) => [e.pointer, e.line]),
        [['/plugins/puppet/install_modules/1/0', 6]],
      );
      await writeFile(file, `extends: ${base}\nplugins:\n  puppet: {}\n`);
      assert.ok((await loadWith(file, puppetPlugin)).errors.some((e) => e.pointer === '/plugins/puppet'));
    } finally {
      await dir.cleanup();
    }
  });

  it("bootstrap-vz's stretch-puppet example loads unchanged", async () => {
    const fixture = new URL(
      '../../../../test/fixtures/bootstrap-vz/manifests/examples/kvm/stretch-puppet.yaml',
      import.meta.url,
    ).pathname;
    const result = await loadWith(fixture, puppetPlugin);
    assert.deepEqual(
      result.errors.filter((e) => e.pointer.startsWith('/plugins/puppet')),
      [],
    );
  });
});

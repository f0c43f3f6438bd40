import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BuildState, PACKAGES, ROOT_DIR, type ManifestData } from '../../../../src/api/index.js';
import { installBatches, parsePackageSpec } from '../../../../src/base/apt/package-spec.js';
import { installPackages } from '../../../../src/base/apt/install-packages.js';
import { aptUpgrade } from '../../../../src/base/apt/apt-upgrade.js';
import { mountAptArchives, unmountAptArchives } from '../../../../src/base/apt/build-archives.js';
import { APT_ENV, aptGetArgv } from '../../../../src/base/apt/apt-get.js';
import {
  baseManifestData,
  tempDir,
  testContext,
  testManifest,
  TestRunner,
} from '../../../helpers/fake-context.js';

test('parsePackageSpec: name, name/target, local .deb paths', () => {
  assert.deepEqual(parsePackageSpec('vim'), { kind: 'remote', name: 'vim' });
  assert.deepEqual(parsePackageSpec('linux-image-amd64/bookworm-backports'), {
    kind: 'remote',
    name: 'linux-image-amd64',
    target: 'bookworm-backports',
  });
  assert.deepEqual(parsePackageSpec('/srv/debs/tool_1.0_amd64.deb'), {
    kind: 'local',
    path: '/srv/debs/tool_1.0_amd64.deb',
  });
  assert.deepEqual(parsePackageSpec('debs/tool.deb'), { kind: 'local', path: 'debs/tool.deb' });
  assert.deepEqual(parsePackageSpec('tool.deb'), { kind: 'local', path: 'tool.deb' });
});

test('installBatches: default release first, then one batch per target', () => {
  const specs = ['vim', 'b/trixie', 'a/bookworm-backports', 'curl', 'c/bookworm-backports', './x.deb'].map(
    parsePackageSpec,
  );
  assert.deepEqual(installBatches(specs), [
    { names: ['vim', 'curl'] },
    { target: 'bookworm-backports', names: ['a', 'c'] },
    { target: 'trixie', names: ['b'] },
  ]);
});

async function setup(packages: NonNullable<ManifestData['packages']>) {
  const dir = await tempDir();
  const root = join(dir.path, 'root');
  const cache = join(dir.path, 'cache');
  await mkdir(join(root, 'var/cache/apt/archives'), { recursive: true });
  const manifest = testManifest(
    { ...baseManifestData, bootstrapper: { workspace: dir.path, cache_dir: cache }, packages },
    join(dir.path, 'm.yml'),
  );
  const state = new BuildState();
  state.set(ROOT_DIR, root);
  return { dir, root, cache, manifest, state };
}

const APT_OPTS = [
  '--assume-yes',
  '-o',
  'Acquire::Retries=3',
  '-o',
  'Dpkg::Options::=--force-confdef',
  '-o',
  'Dpkg::Options::=--force-confold',
];

test('install-packages: exact apt-get argv per batch, options and -t before --, mounts around, env noninteractive', async () => {
  const { dir, root, manifest, state } = await setup({
    install: ['vim', 'linux-image-amd64/bookworm-backports'],
  });
  try {
    state.get(PACKAGES).add('grub-pc').add('vim');
    const runner = new TestRunner();
    await installPackages.run(testContext({ manifest, state, runner }));
    const installs = runner.calls.filter((c) => c.chrootRoot && !c.argv.includes('--print-uris'));
    assert.deepEqual(
      installs.map((c) => c.argv),
      [
        ['apt-get', ...APT_OPTS, '--no-install-recommends', 'install', '--', 'vim', 'grub-pc'],
        [
          'apt-get',
          ...APT_OPTS,
          '--no-install-recommends',
          '-t',
          'bookworm-backports',
          'install',
          '--',
          'linux-image-amd64',
        ],
      ],
    );
    assert.deepEqual(installs[0]!.options?.env, APT_ENV);
    const lines = runner.lines();
    assert.deepEqual(lines.slice(0, 5), [
      `mount -t proc proc ${root}/proc`,
      `mount -t sysfs sysfs ${root}/sys`,
      `mount --bind /dev ${root}/dev`,
      `mount --make-private ${root}/dev`,
      `mount -t devpts -o newinstance,gid=5,mode=620,ptmxmode=666 devpts ${root}/dev/pts`,
    ]);
    assert.deepEqual(lines.slice(-4), [
      `umount ${root}/dev/pts`,
      `umount ${root}/dev`,
      `umount ${root}/sys`,
      `umount ${root}/proc`,
    ]);
  } finally {
    await dir.cleanup();
  }
});

test('install_recommends: true drops --no-install-recommends; local .debs are copied in and removed', async () => {
  const { dir, root, manifest, state } = await setup({
    install: ['./tool_1_all.deb'],
    install_recommends: true,
  });
  try {
    await writeFile(join(dir.path, 'tool_1_all.deb'), 'DEB');
    const runner = new TestRunner();
    await installPackages.run(testContext({ manifest, state, runner }));
    const install = runner.calls.find((c) => c.chrootRoot);
    assert.deepEqual(install?.argv, ['apt-get', ...APT_OPTS, 'install', '--', '/tmp/tool_1_all.deb']);
    assert.deepEqual(await readdir(join(root, 'tmp')), []);
  } finally {
    await dir.cleanup();
  }
});

test('apt downloads go to the build archive outside the image; cached files are seeded, new ones harvested', async () => {
  const { dir, root, cache, manifest, state } = await setup({});
  try {
    const debs = join(cache, 'archives');
    await mkdir(debs, { recursive: true });
    await writeFile(join(debs, 'libc6_2.36_amd64.deb'), 'OLD');
    const workspace = join(dir.path, 'ws');
    const buildArchive = join(workspace, 'apt-archives');
    const imageArchives = join(root, 'var/cache/apt/archives');
    let seededBeforeUpgrade: string[] = [];
    const runner = new TestRunner((argv) => {
      if (argv.includes('--print-uris')) {
        return {
          stdout:
            "'http://m/pool/libc6_2.36_amd64.deb' libc6_2.36_amd64.deb 100 SHA256:aa\n'http://m/pool/tzdata_1_all.deb' tzdata_1_all.deb 5 SHA256:bb\n",
        };
      }
      if (argv.includes('dist-upgrade')) {
        // The recording runner does not mount: apt's downloads land where the bind mount points.
        seededBeforeUpgrade = readdirSync(buildArchive);
        writeFileSync(join(buildArchive, 'tzdata_1_all.deb'), 'NEW');
      }
      return undefined;
    });
    const ctx = testContext({ manifest, state, runner, workspace });
    await mountAptArchives.run(ctx);
    assert.ok(
      runner.calls.some((c) => c.argv.join(' ') === `mount --bind ${buildArchive} ${imageArchives}`),
      "the build archive is bind-mounted on the image's archive directory",
    );
    await aptUpgrade.run(ctx);
    assert.deepEqual(
      seededBeforeUpgrade.filter((n: string) => n.endsWith('.deb')),
      ['libc6_2.36_amd64.deb'],
    );
    // Seeded as a hard link: no bytes copied.
    assert.equal((await stat(join(debs, 'libc6_2.36_amd64.deb'))).nlink, 2);
    await unmountAptArchives.run(ctx);
    assert.ok(runner.calls.some((c) => c.argv.join(' ') === `umount ${imageArchives}`));
    assert.deepEqual((await readdir(debs)).sort(), ['libc6_2.36_amd64.deb', 'tzdata_1_all.deb']);
    assert.equal(await readFile(join(debs, 'tzdata_1_all.deb'), 'utf8'), 'NEW');
    assert.deepEqual(await readdir(imageArchives), [], 'nothing downloaded is in the image');
    assert.ok(!existsSync(buildArchive), 'the build archive is removed after the harvest');
  } finally {
    await dir.cleanup();
  }
});

test('hostile values: a package name starting with - reaches apt-get after --, never as an option', () => {
  const m = testManifest(baseManifestData);
  const hostile = '-oDPkg::Pre-Invoke::=touch /pwned';
  const argv = aptGetArgv(m, 'install', ['vim', hostile], { target: 'bookworm-backports' });
  const end = argv.indexOf('--');
  assert.ok(end > argv.indexOf('install') && end > argv.indexOf('-t'), 'options and the command before --');
  assert.deepEqual(argv.slice(end + 1), ['vim', hostile]);
  assert.throws(() => aptGetArgv(m, 'install', ['vim'], { target: '-oAPT::x=1' }), /not a suite name/);
  // without packages, no `--` (dist-upgrade)
  assert.ok(!aptGetArgv(m, 'dist-upgrade').includes('--'));
});

test('the --print-uris pass puts the option before the command and --', async () => {
  const { dir, manifest, state } = await setup({ install: ['vim'] });
  try {
    const runner = new TestRunner();
    const ctx = testContext({ manifest, state, runner, workspace: join(dir.path, 'ws') });
    await mountAptArchives.run(ctx);
    await installPackages.run(ctx);
    const printUris = runner.calls.find((c) => c.argv.includes('--print-uris'));
    assert.ok(printUris, 'a --print-uris pass ran');
    const argv = printUris.argv;
    assert.ok(argv.indexOf('--print-uris') < argv.indexOf('install'));
    assert.deepEqual(argv.slice(argv.indexOf('--') + 1), ['vim']);
    await unmountAptArchives.run(ctx);
  } finally {
    await dir.cleanup();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ManifestData } from '../../../../src/api/index.js';
import { baseManifestData, testManifest } from '../../../helpers/fake-context.js';
import { resolveBootstrapPlan } from '../../../../src/base/bootstrap/bootstrap-plan.js';
import { debootstrapArgv, mmdebstrapArgv } from '../../../../src/base/bootstrap/bootstrap-argv.js';

function manifest(bootstrapper: Partial<ManifestData['bootstrapper']>, packages?: ManifestData['packages']) {
  return testManifest({
    ...baseManifestData,
    bootstrapper: { ...baseManifestData.bootstrapper, ...bootstrapper },
    ...(packages ? { packages } : {}),
  });
}

const HOST_MIRROR = 'http://mirror.example/debian/';

test('mmdebstrap default: debootstrap variant, host mirror, main component', () => {
  const plan = resolveBootstrapPlan(manifest({}), HOST_MIRROR);
  assert.deepEqual(mmdebstrapArgv(plan, '/mnt/root', { keepDebs: true }), [
    'mmdebstrap',
    '--mode=root',
    '--format=directory',
    '--variant=debootstrap',
    '--architectures=amd64',
    '--components=main',
    '--skip=check/empty',
    '--skip=cleanup/apt/lists',
    '--skip=essential/unlink',
    '--skip=cleanup/apt/cache',
    '--',
    'bookworm',
    '/mnt/root',
    HOST_MIRROR,
    // updates and security come in at bootstrap time, so the later dist-upgrade has nothing to do
    'deb http://mirror.example/debian/ bookworm-updates main',
    'deb http://deb.debian.org/debian-security/ bookworm-security main',
  ]);
});

test('mmdebstrap minbase with includes (sorted, plus state), keyring, components', () => {
  const m = manifest(
    {
      variant: 'minbase',
      mirror: 'http://ftp.de.debian.org/debian',
      include_packages: ['sudo', 'curl'],
      keyring: '/k.gpg',
    },
    { components: ['main', 'contrib'] },
  );
  const plan = resolveBootstrapPlan(m, HOST_MIRROR, ['locales', 'curl']);
  assert.deepEqual(mmdebstrapArgv(plan, '/r', { keepDebs: false }), [
    'mmdebstrap',
    '--mode=root',
    '--format=directory',
    '--variant=minbase',
    '--architectures=amd64',
    '--components=main,contrib',
    '--include=curl,locales,sudo',
    '--keyring=/k.gpg',
    '--skip=check/empty',
    '--skip=cleanup/apt/lists',
    '--',
    'bookworm',
    '/r',
    'http://ftp.de.debian.org/debian/',
    'deb http://ftp.de.debian.org/debian/ bookworm-updates main contrib',
    'deb http://deb.debian.org/debian-security/ bookworm-security main contrib',
  ]);
});

test('mmdebstrap exclusions: the apt variant plus the priority pattern minus the excluded names', () => {
  const plan = resolveBootstrapPlan(
    manifest({ include_packages: ['curl', 'nano'], exclude_packages: ['vim-tiny', 'nano'] }),
    HOST_MIRROR,
  );
  assert.deepEqual(mmdebstrapArgv(plan, '/r', { keepDebs: false }).slice(3, 7), [
    '--variant=apt',
    '--architectures=amd64',
    '--components=main',
    '--include=curl',
  ]);
  assert.equal(
    mmdebstrapArgv(plan, '/r', { keepDebs: false })[7],
    '--include=?narrow(?or(?archive(^bookworm$),?codename(^bookworm$)),?architecture(amd64),' +
      '?and(?or(?priority(required),?priority(important)),?not(?essential),?not(?exact-name(nano)),?not(?exact-name(vim-tiny))))',
  );
  const minbase = resolveBootstrapPlan(
    manifest({ variant: 'minbase', exclude_packages: ['e2fsprogs'] }),
    HOST_MIRROR,
  );
  assert.ok(
    mmdebstrapArgv(minbase, '/r', { keepDebs: false }).some((a) => a.includes('?or(?priority(required)),')),
  );
  // A variant that installs only what is listed just drops the excluded names.
  const essential = resolveBootstrapPlan(
    manifest({ variant: 'essential', include_packages: ['a', 'b'], exclude_packages: ['b'] }),
    HOST_MIRROR,
  );
  assert.deepEqual(mmdebstrapArgv(essential, '/r', { keepDebs: false }).slice(3, 7), [
    '--variant=essential',
    '--architectures=amd64',
    '--components=main',
    '--include=a',
  ]);
});

test('mmdebstrap no-check-gpg passes a [trusted=yes] sources line instead of a URI', () => {
  const plan = resolveBootstrapPlan(
    manifest({ 'no-check-gpg': true }, { mirror: 'http://m/debian/' }),
    HOST_MIRROR,
  );
  const argv = mmdebstrapArgv(plan, '/r', { keepDebs: false });
  assert.equal(argv.at(-1), 'deb [trusted=yes] http://m/debian/ bookworm main');
  assert.ok(!argv.some((a) => a.startsWith('--components')));
});

test('debootstrap: bootstrap-vz options, cache dir, packages.mirror as fallback', () => {
  const m = manifest(
    {
      tool: 'debootstrap',
      variant: 'minbase',
      include_packages: ['b', 'a'],
      exclude_packages: ['x'],
      'force-check-gpg': true,
    },
    { mirror: 'http://pkgmirror/debian' },
  );
  const plan = resolveBootstrapPlan(m, HOST_MIRROR);
  assert.deepEqual(debootstrapArgv(plan, '/r', '/cache/archives'), [
    'debootstrap',
    '--variant=minbase',
    '--arch=amd64',
    '--components=main',
    '--include=a,b',
    '--exclude=x',
    '--force-check-gpg',
    '--cache-dir=/cache/archives',
    'bookworm',
    '/r',
    'http://pkgmirror/debian/',
  ]);
});

test('debootstrap default variant passes no --variant; no-check-gpg; userspace architecture', () => {
  const m = testManifest({
    ...baseManifestData,
    bootstrapper: { workspace: '/w', tool: 'debootstrap', 'no-check-gpg': true },
    system: { ...baseManifestData.system, architecture: 'amd64', userspace_architecture: 'i386' },
  });
  assert.deepEqual(debootstrapArgv(resolveBootstrapPlan(m, 'http://deb.debian.org/debian/'), '/r'), [
    'debootstrap',
    '--arch=i386',
    '--components=main',
    '--no-check-gpg',
    'bookworm',
    '/r',
    'http://deb.debian.org/debian/',
  ]);
});

test('hostile values: mmdebstrap ends its options with --; debootstrap (no --) refuses a leading -', () => {
  const plan = resolveBootstrapPlan(manifest({}), HOST_MIRROR);
  const argv = mmdebstrapArgv({ ...plan, suite: '--hook-dir=/tmp/x' }, '/r', { keepDebs: false });
  assert.equal(argv[argv.indexOf('--hook-dir=/tmp/x') - 1], '--');
  for (const [field, value] of [
    ['suite', '--second-stage'],
    ['mirror', '--print-debs'],
  ] as const) {
    assert.throws(
      () => debootstrapArgv({ ...plan, tool: 'debootstrap', [field]: value }, '/r'),
      (e: Error) => e.name === 'BuildError' && /starts with "-"/.test(e.message),
      field,
    );
  }
  assert.throws(() => debootstrapArgv({ ...plan, tool: 'debootstrap' }, '-r'), /starts with "-"/);
});

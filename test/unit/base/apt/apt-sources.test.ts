import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Manifest, ManifestData, ReleaseInfo } from '../../../../src/api/index.js';
import { renderSourceList, sourceLists, sourceListPath } from '../../../../src/base/apt/apt-sources.js';
import { baseManifestData, testManifest } from '../../../helpers/fake-context.js';

function manifest(
  release: Partial<ReleaseInfo> & { codename: string },
  packages?: ManifestData['packages'],
): Manifest {
  const m = testManifest({
    ...baseManifestData,
    system: { ...baseManifestData.system, release: release.codename },
    ...(packages ? { packages } : {}),
  });
  return { ...m, release: { ...m.release, suite: release.codename, version: '12', ...release } };
}

function mainList(m: Manifest): string {
  return renderSourceList(sourceLists(m).get('main') ?? []);
}

test('bookworm: suite, updates, and <suite>-security on deb.debian.org/debian-security', () => {
  assert.equal(
    mainList(manifest({ codename: 'bookworm', version: '12' })),
    'deb http://deb.debian.org/debian/ bookworm main\n' +
      'deb http://deb.debian.org/debian/ bookworm-updates main\n' +
      'deb http://deb.debian.org/debian-security/ bookworm-security main\n',
  );
});

test('buster and older use the <suite>/updates security layout', () => {
  assert.equal(
    mainList(manifest({ codename: 'buster', version: '10' }, { components: ['main', 'contrib'] })),
    'deb http://deb.debian.org/debian/ buster main contrib\n' +
      'deb http://deb.debian.org/debian/ buster-updates main contrib\n' +
      'deb http://deb.debian.org/debian-security/ buster/updates main contrib\n',
  );
});

test('sid has neither updates nor security, and never backports', () => {
  const m = manifest(
    { codename: 'sid', version: '9999' },
    { install: ['foo/sid-backports'], 'include-source-type': true },
  );
  const lists = sourceLists(m);
  assert.equal(
    renderSourceList(lists.get('main') ?? []),
    'deb http://deb.debian.org/debian/ sid main\ndeb-src http://deb.debian.org/debian/ sid main\n',
  );
  assert.equal(lists.has('backports'), false);
});

test('packages.mirror, packages.security and deb-src lines', () => {
  const m = manifest(
    { codename: 'bookworm' },
    {
      mirror: 'http://ftp.de.debian.org/debian',
      security: 'http://sec.example/debian-security',
      'include-source-type': true,
    },
  );
  assert.equal(
    mainList(m),
    [
      'deb http://ftp.de.debian.org/debian/ bookworm main',
      'deb-src http://ftp.de.debian.org/debian/ bookworm main',
      'deb http://ftp.de.debian.org/debian/ bookworm-updates main',
      'deb-src http://ftp.de.debian.org/debian/ bookworm-updates main',
      'deb http://sec.example/debian-security/ bookworm-security main',
      'deb-src http://sec.example/debian-security/ bookworm-security main',
      '',
    ].join('\n'),
  );
});

test('backports are added for a pkg/<suite>-backports install or packages.backports, not twice', () => {
  const byInstall = sourceLists(
    manifest({ codename: 'bookworm' }, { install: ['linux-image-amd64/bookworm-backports'] }),
  );
  assert.deepEqual(byInstall.get('backports'), ['deb http://deb.debian.org/debian/ bookworm-backports main']);
  assert.equal(sourceListPath('backports'), 'etc/apt/sources.list.d/backports.list');
  const byKey = sourceLists(manifest({ codename: 'bookworm' }, { backports: true }));
  assert.ok(byKey.has('backports'));
  const already = sourceLists(
    manifest(
      { codename: 'bookworm' },
      { backports: true, sources: { bp: ['deb http://m/debian bookworm-backports main'] } },
    ),
  );
  assert.equal(already.has('backports'), false);
  assert.equal(sourceLists(manifest({ codename: 'bookworm' }, { install: ['vim'] })).has('backports'), false);
});

test('manifest sources expand variables; main lines come before the defaults', () => {
  const m = manifest(
    { codename: 'bookworm' },
    {
      sources: {
        main: ['deb http://extra/debian {system.release} main'],
        docker: ['deb https://download.docker.com/linux/debian {system.release} stable'],
      },
    },
  );
  const lists = sourceLists(m);
  assert.equal(lists.get('main')?.[0], 'deb http://extra/debian bookworm main');
  assert.equal(lists.get('main')?.length, 4);
  assert.deepEqual(lists.get('docker'), ['deb https://download.docker.com/linux/debian bookworm stable']);
  assert.equal(sourceListPath('main'), 'etc/apt/sources.list');
  assert.equal(sourceListPath('docker'), 'etc/apt/sources.list.d/docker.list');
});

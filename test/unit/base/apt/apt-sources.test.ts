import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Manifest, ManifestData, ReleaseInfo } from '../../../../src/api/index.js';
import {
  renderDeb822,
  renderSourceList,
  sourceFiles,
  sourceLists,
  sourceListPath,
  SOURCES_LIST_PATH,
  usesDeb822Sources,
} from '../../../../src/base/apt/apt-sources.js';
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

test('bookworm keeps one-line /etc/apt/sources.list and removes nothing', () => {
  const files = sourceFiles(manifest({ codename: 'bookworm', version: '12' }));
  assert.deepEqual(files.remove, []);
  assert.deepEqual(
    files.write.map((f) => f.path),
    ['etc/apt/sources.list'],
  );
  assert.equal(usesDeb822Sources(manifest({ codename: 'bookworm', version: '12' })), false);
});

test('trixie: deb822 debian.sources with the suite, -updates and -security; sources.list removed', () => {
  const m = manifest({ codename: 'trixie', version: '13' });
  assert.equal(usesDeb822Sources(m), true);
  const files = sourceFiles(m);
  assert.deepEqual(files.remove, [SOURCES_LIST_PATH]);
  assert.deepEqual(files.write, [
    {
      path: 'etc/apt/sources.list.d/debian.sources',
      content:
        'Types: deb\n' +
        'URIs: http://deb.debian.org/debian/\n' +
        'Suites: trixie trixie-updates\n' +
        'Components: main\n' +
        '\n' +
        'Types: deb\n' +
        'URIs: http://deb.debian.org/debian-security/\n' +
        'Suites: trixie-security\n' +
        'Components: main\n',
    },
  ]);
  // The one-line view (what the bootstrap fetched lists for) is the same as before.
  assert.deepEqual(sourceLists(m).get('main'), [
    'deb http://deb.debian.org/debian/ trixie main',
    'deb http://deb.debian.org/debian/ trixie-updates main',
    'deb http://deb.debian.org/debian-security/ trixie-security main',
  ]);
});

test('trixie: deb-src, components and backports join the stanzas; manifest lists stay one-line files', () => {
  const m = manifest(
    { codename: 'trixie', version: '13' },
    {
      components: ['main', 'contrib'],
      'include-source-type': true,
      backports: true,
      sources: {
        main: ['deb http://extra/debian {system.release} main'],
        docker: ['deb https://download.docker.com/linux/debian {system.release} stable'],
      },
    },
  );
  const files = sourceFiles(m);
  assert.deepEqual(files.remove, [], 'the manifest has its own sources.list lines');
  const byPath = Object.fromEntries(files.write.map((f) => [f.path, f.content]));
  assert.equal(byPath['etc/apt/sources.list'], 'deb http://extra/debian trixie main\n');
  assert.equal(
    byPath['etc/apt/sources.list.d/docker.list'],
    'deb https://download.docker.com/linux/debian trixie stable\n',
  );
  assert.equal(
    byPath['etc/apt/sources.list.d/debian.sources'],
    'Types: deb deb-src\n' +
      'URIs: http://deb.debian.org/debian/\n' +
      'Suites: trixie trixie-updates trixie-backports\n' +
      'Components: main contrib\n' +
      '\n' +
      'Types: deb deb-src\n' +
      'URIs: http://deb.debian.org/debian-security/\n' +
      'Suites: trixie-security\n' +
      'Components: main contrib\n',
  );
});

test('forky gets deb822 with forky-security; sid only its own suite', () => {
  const forky = sourceFiles(manifest({ codename: 'forky', version: '14' }));
  assert.match(forky.write[0]?.content ?? '', /Suites: forky forky-updates\n[\s\S]*Suites: forky-security\n/);
  const sid = sourceFiles(manifest({ codename: 'sid', version: '16' }));
  assert.deepEqual(sid.write, [
    {
      path: 'etc/apt/sources.list.d/debian.sources',
      content: 'Types: deb\nURIs: http://deb.debian.org/debian/\nSuites: sid\nComponents: main\n',
    },
  ]);
  assert.deepEqual(sid.remove, [SOURCES_LIST_PATH]);
});

test('renderDeb822 groups by URI and components, keeping the suites in order', () => {
  assert.equal(
    renderDeb822([
      'deb http://a/debian x main',
      'deb http://b/debian y main',
      'deb http://a/debian x-updates main',
    ]),
    'Types: deb\nURIs: http://a/debian\nSuites: x x-updates\nComponents: main\n\n' +
      'Types: deb\nURIs: http://b/debian\nSuites: y\nComponents: main\n',
  );
});

const isBuildError = (re: RegExp) => (e: Error) => e.name === 'BuildError' && re.test(e.message);

test('hostile values: a newline in a manifest source line is refused, never a second source', () => {
  for (const codename of ['bookworm', 'trixie']) {
    const m = manifest(
      { codename, version: codename === 'trixie' ? '13' : '12' },
      { sources: { extra: ['deb http://example.org/ x main\ndeb [trusted=yes] http://evil/ x main'] } },
    );
    assert.throws(() => sourceFiles(m), isBuildError(/newline or another control character/), codename);
  }
});

test('hostile values: a mirror with a blank or newline is refused in one-line and deb822 files', () => {
  for (const codename of ['bookworm', 'trixie']) {
    for (const mirror of ['http://a/ evil main', 'http://a/\nURIs: http://evil/', 'http://a/\tb']) {
      const m = manifest({ codename, version: codename === 'trixie' ? '13' : '12' }, { mirror });
      assert.throws(() => sourceFiles(m), isBuildError(/not one URI/), `${codename} ${mirror}`);
    }
    const security = manifest(
      { codename, version: codename === 'trixie' ? '13' : '12' },
      { security: 'http://s/\nTrusted: yes' },
    );
    assert.throws(() => sourceFiles(security), isBuildError(/packages\.security/));
  }
});

test('hostile values: deb822 fields are one line each', () => {
  assert.throws(
    () => renderDeb822(['deb http://a/ trixie main\nTrusted:yes']),
    isBuildError(/newline or another control character/),
  );
  assert.throws(() => renderDeb822(['deb http://a/ trixie']), isBuildError(/components is empty/));
});

test('hostile values: a source list name is a file name, never a path', () => {
  for (const name of ['../../etc/cron.d/x', 'a/b', '.hidden', 'a\nb', '']) {
    assert.throws(() => sourceListPath(name), isBuildError(/not a file name/), JSON.stringify(name));
  }
  assert.equal(sourceListPath('backports'), 'etc/apt/sources.list.d/backports.list');
});

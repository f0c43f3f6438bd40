import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BuildError } from '../../../../src/api/index.js';
import { parseHostMirror, resolveMirror } from '../../../../src/base/bootstrap/mirror.js';
import { probeMirror, releaseUrl } from '../../../../src/base/bootstrap/check-mirror.js';
import { baseManifestData, testManifest } from '../../../helpers/fake-context.js';

test('parseHostMirror reads deb822 and skips security and disabled stanzas', () => {
  const text = [
    'Types: deb',
    'URIs: http://deb.debian.org/debian-security',
    'Suites: bookworm-security',
    '',
    'Types: deb',
    'URIs: http://disabled/debian',
    'Suites: bookworm',
    'Enabled: no',
    '',
    'Types: deb deb-src',
    'URIs: http://mirror.local/debian',
    'Suites: bookworm bookworm-updates',
    'Components: main',
  ].join('\n');
  assert.equal(parseHostMirror(text), 'http://mirror.local/debian/');
});

test('parseHostMirror reads one-line sources and ignores third-party repositories', () => {
  const text = [
    '# comment',
    'deb https://packages.cloud.google.com/apt cloud-sdk main',
    'deb http://security.debian.org/debian-security bookworm-security main',
    'deb [arch=amd64] http://ftp.de.debian.org/debian bookworm main',
  ].join('\n');
  assert.equal(parseHostMirror(text), 'http://ftp.de.debian.org/debian/');
  assert.equal(parseHostMirror('deb https://deb.nodesource.com/node_20.x nodistro main'), undefined);
});

test('resolveMirror: bootstrapper.mirror, then packages.mirror, then the host default', () => {
  const m = (b: Record<string, unknown>, p?: Record<string, unknown>) =>
    testManifest({
      ...baseManifestData,
      bootstrapper: { workspace: '/w', ...b },
      ...(p ? { packages: p } : {}),
    });
  assert.equal(
    resolveMirror(m({ mirror: 'http://a/debian' }, { mirror: 'http://b/debian' }), 'http://h/'),
    'http://a/debian/',
  );
  assert.equal(resolveMirror(m({}, { mirror: 'http://b/debian' }), 'http://h/'), 'http://b/debian/');
  assert.equal(resolveMirror(m({}), 'http://h/debian/'), 'http://h/debian/');
});

function fakeFetch(statuses: (number | Error)[]) {
  const urls: string[] = [];
  const f = (async (url: string | URL | Request) => {
    urls.push(String(url));
    const s = statuses.shift();
    if (s instanceof Error || s === undefined) throw s ?? new Error('no more responses');
    return new Response('Origin: Debian\n', { status: s });
  }) as typeof fetch;
  return { f, urls };
}

test('probeMirror fetches dists/<suite>/Release and succeeds on 200 after a transient failure', async () => {
  const { f, urls } = fakeFetch([new TypeError('fetch failed'), 200]);
  await probeMirror('http://m/debian/', 'bookworm', { fetch: f, backoffMs: () => 0 });
  assert.deepEqual(urls, [
    'http://m/debian/dists/bookworm/Release',
    'http://m/debian/dists/bookworm/Release',
  ]);
  assert.equal(releaseUrl('http://m/debian', 'sid'), 'http://m/debian/dists/sid/Release');
});

test('probeMirror gives up after a bounded number of attempts with a BuildError naming the mirror', async () => {
  const { f, urls } = fakeFetch([503, new TypeError('fetch failed'), 503, 200]);
  await assert.rejects(
    probeMirror('http://unreachable.example/debian/', 'bookworm', {
      fetch: f,
      attempts: 3,
      backoffMs: () => 0,
    }),
    (e: unknown) =>
      e instanceof BuildError &&
      e.message.includes('http://unreachable.example/debian/') &&
      e.message.includes('HTTP 503'),
  );
  assert.equal(urls.length, 3);
});

test('probeMirror reports a missing suite at once (404 is not retried)', async () => {
  const { f, urls } = fakeFetch([404, 200]);
  await assert.rejects(
    probeMirror('http://m/debian/', 'nosuch', { fetch: f, backoffMs: () => 0 }),
    /no nosuch suite/,
  );
  assert.equal(urls.length, 1);
});

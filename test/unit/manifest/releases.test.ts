import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  compareVersions,
  isTooOld,
  knownReleases,
  releaseAliases,
  resolveRelease,
} from '../../../src/manifest/releases.js';
import { edit, loadText } from './fake-registry.js';

const at = (iso: string) => new Date(`${iso}T12:00:00Z`);

test('the table lists buzz to duke and sid, oldest first, with ISO dates', () => {
  const names = knownReleases().map((r) => r.codename);
  assert.equal(names[0], 'buzz');
  assert.deepEqual(names.slice(-6), ['bullseye', 'bookworm', 'trixie', 'forky', 'duke', 'sid']);
  const trixie = knownReleases().find((r) => r.codename === 'trixie');
  assert.deepEqual(trixie, { codename: 'trixie', version: '13', released: '2025-08-09' });
  assert.equal(knownReleases().find((r) => r.codename === 'forky')?.released, undefined);
  for (const r of knownReleases()) if (r.released) assert.match(r.released, /^\d{4}-\d{2}-\d{2}$/);
  // sid sorts above every numbered release.
  assert.ok(compareVersions(resolveRelease('sid', at('2026-01-01'))?.version ?? '0', '15') > 0);
});

test('aliases are derived from release dates and the build date', () => {
  assert.deepEqual(releaseAliases(at('2026-11-23')), {
    stable: 'trixie',
    oldstable: 'bookworm',
    oldoldstable: 'bullseye',
    testing: 'forky',
    unstable: 'sid',
  });
  assert.deepEqual(releaseAliases(at('2024-01-01')), {
    stable: 'bookworm',
    oldstable: 'bullseye',
    oldoldstable: 'buster',
    testing: 'trixie',
    unstable: 'sid',
  });
  // The release day itself already counts.
  assert.equal(releaseAliases(at('2025-08-09')).stable, 'trixie');
  assert.equal(releaseAliases(at('2025-08-08')).stable, 'bookworm');
});

test('resolveRelease maps codenames and aliases to a suite, keeping what was asked', () => {
  assert.deepEqual(resolveRelease('stable', at('2026-11-23')), {
    codename: 'trixie',
    version: '13',
    requested: 'stable',
    suite: 'trixie',
  });
  assert.deepEqual(resolveRelease('Bookworm', at('2026-11-23')), {
    codename: 'bookworm',
    version: '12',
    requested: 'Bookworm',
    suite: 'bookworm',
  });
  assert.equal(resolveRelease('unstable', at('2026-11-23'))?.codename, 'sid');
  assert.equal(resolveRelease('bookwrom', at('2026-11-23')), undefined);
});

test('releases before wheezy are too old', () => {
  const now = at('2026-01-01');
  assert.equal(isTooOld(resolveRelease('squeeze', now)!), true);
  assert.equal(isTooOld(resolveRelease('wheezy', now)!), false);
  assert.equal(isTooOld(resolveRelease('sid', now)!), false);
});

test('the manifest release is resolved at the build date', async () => {
  const r = await loadText(edit(7, '  release: stable'), { now: at('2026-11-23') });
  assert.deepEqual(r.manifest?.release, {
    codename: 'trixie',
    version: '13',
    requested: 'stable',
    suite: 'trixie',
  });
  assert.equal(r.manifest?.data.system.release, 'stable', 'the data keeps what the manifest said');
});

test('an unknown release is an error with nearby names; an old one says what is supported', async () => {
  const r = await loadText(edit(7, '  release: bookwrom'));
  assert.deepEqual(
    r.errors.map((e) => [e.line, e.col, e.message]),
    [[7, 3, 'unknown release "bookwrom"']],
  );
  assert.match(
    r.errors[0]?.hint ?? '',
    /^did you mean "bookworm"\? known releases: wheezy, jessie, .*sid; aliases today: stable=bookworm, oldstable=bullseye, oldoldstable=buster, testing=trixie, unstable=sid$/,
  );
  const old = await loadText(edit(7, '  release: squeeze'));
  assert.deepEqual(
    old.errors.map((e) => e.message),
    ['Debian squeeze (6.0) is too old: only wheezy (7) and later are supported'],
  );
  assert.equal(old.manifest, undefined);
});

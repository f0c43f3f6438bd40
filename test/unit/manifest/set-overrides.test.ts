import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseText } from '../../../src/manifest/load-document.js';
import { loadManifest } from '../../../src/manifest/load-manifest.js';
import { applySets, parseSetExpression, splitSetPath } from '../../../src/manifest/set-overrides.js';
import { FIXTURES, fakeRegistry } from './fake-registry.js';

function located(text: string) {
  const r = parseText('/m.yml', text);
  assert.ok(r.ok);
  return r.doc;
}

test('paths split on dots; \\. is a literal dot', () => {
  assert.deepEqual(splitSetPath('volume.partitions.root.size'), ['volume', 'partitions', 'root', 'size']);
  assert.deepEqual(splitSetPath('packages.apt\\.conf\\.d.10proxy'), ['packages', 'apt.conf.d', '10proxy']);
  assert.equal(splitSetPath('a..b'), undefined);
  assert.equal(splitSetPath('.a'), undefined);
});

test('values are read as YAML scalars and flow collections', () => {
  assert.deepEqual(parseSetExpression('a.b=true'), { path: ['a', 'b'], value: true });
  assert.deepEqual(parseSetExpression('a=3'), { path: ['a'], value: 3 });
  assert.deepEqual(parseSetExpression('a=[x, y]'), { path: ['a'], value: ['x', 'y'] });
  assert.deepEqual(parseSetExpression('a={k: v}'), { path: ['a'], value: { k: 'v' } });
  assert.deepEqual(parseSetExpression('a=x=y'), { path: ['a'], value: 'x=y' }, 'only the first = splits');
  assert.deepEqual(parseSetExpression('a='), { path: ['a'], value: '' });
  assert.deepEqual(parseSetExpression("a='3'"), { path: ['a'], value: '3' });
});

test('overrides replace values, create missing mappings, index lists, and are located at (--set)', () => {
  const doc = located('system:\n  release: bookworm\npackages:\n  install: [a, b]\n');
  const { located: out, issues } = applySets(doc, [
    'system.release=trixie',
    'plugins.cloud_init.username=admin',
    'packages.apt\\.conf\\.d.10proxy=Acquire::http::Proxy "x";',
    'packages.install.1=c',
  ]);
  assert.deepEqual(issues, []);
  assert.deepEqual(out.data, {
    system: { release: 'trixie' },
    packages: { install: ['a', 'c'], 'apt.conf.d': { '10proxy': 'Acquire::http::Proxy "x";' } },
    plugins: { cloud_init: { username: 'admin' } },
  });
  assert.deepEqual(out.map.get('/system/release'), {
    file: '(--set)',
    key: { line: 1, col: 1 },
    value: { line: 1, col: 1 },
  });
  assert.equal(out.map.get('/plugins/cloud_init/username')?.value.line, 2);
  assert.equal(out.map.get('/plugins')?.file, '(--set)', 'created mappings are located too');
  assert.equal(out.map.line('(--set)', 2), 'plugins.cloud_init.username=admin');
  assert.equal(out.map.get('/packages/install/0')?.file, '/m.yml');
  assert.deepEqual(doc.data['system'], { release: 'bookworm' }, 'the input is not modified');
});

test('bad expressions are issues at (--set) with the expression as source line', () => {
  const doc = located('system:\n  release: bookworm\n');
  const { issues } = applySets(doc, [
    'system.release=trixie',
    'noequals',
    'system.release.x=1',
    'a=[1, 2',
    '=3',
  ]);
  assert.deepEqual(
    issues.map((i) => [i.file, i.line, i.col, i.sourceLine]),
    [
      ['(--set)', 2, 1, 'noequals'],
      ['(--set)', 3, 1, 'system.release.x=1'],
      ['(--set)', 4, 1, 'a=[1, 2'],
      ['(--set)', 5, 1, '=3'],
    ],
  );
  assert.match(issues[0]?.message ?? '', /expected PATH=VALUE/);
  assert.match(issues[1]?.message ?? '', /cannot set a key inside \/system\/release: it is a string/);
  assert.match(issues[2]?.message ?? '', /cannot read the value/);
});

test('loadManifest applies --set after extends; a schema error in an override points at (--set)', async () => {
  const ok = await loadManifest(join(FIXTURES, 'extends/child.yml'), {
    registry: fakeRegistry(),
    set: ['system.release=trixie', 'volume.partitions.root.size=8GiB', 'bootstrapper.tarball=true'],
    now: new Date('2026-01-01T00:00:00Z'),
  });
  assert.deepEqual(ok.errors, []);
  assert.equal(ok.manifest?.data.system.release, 'trixie');
  assert.equal(ok.manifest?.data.volume.partitions.root.size, '8GiB');
  assert.equal(ok.manifest?.data.bootstrapper.tarball, true);

  const bad = await loadManifest(join(FIXTURES, 'minimal.yml'), {
    registry: fakeRegistry(),
    set: ['system.relase=trixie'],
  });
  assert.equal(bad.manifest, undefined);
  assert.deepEqual(
    bad.errors.map((e) => [e.file, e.line, e.col, e.message, e.hint]),
    [['(--set)', 1, 1, 'unknown key "relase"', 'did you mean "release"?']],
  );
});

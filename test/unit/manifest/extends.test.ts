import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadWithExtends } from '../../../src/manifest/resolve-extends.js';
import { loadManifest } from '../../../src/manifest/load-manifest.js';
import { FIXTURES, fakeRegistry, manifestDir } from './fake-registry.js';

const X = join(FIXTURES, 'extends');

test('a chain of extends merges mappings deeply, replaces lists, and the child wins', async () => {
  const r = await loadWithExtends(join(X, 'child.yml'));
  assert.deepEqual(r.issues, []);
  const data = r.located?.data as Record<string, Record<string, unknown>>;
  assert.equal(data['name'], 'child-image');
  assert.equal(data['system']?.['timezone'], 'Europe/Oslo', 'from middle.yml');
  assert.equal(data['system']?.['locale'], 'en_US', 'from base.yml');
  assert.deepEqual(data['packages'], { install: ['middle-pkg'] }, 'lists are replaced, not concatenated');
  assert.deepEqual(data['volume']?.['partitions'], {
    type: 'gpt',
    root: { filesystem: 'ext4', size: '4GiB' },
    swap: { size: '512MiB' },
  });
  assert.equal('extends' in data, false);
  assert.deepEqual(
    r.sources,
    ['child.yml', 'middle.yml', 'base.yml'].map((f) => join(X, f)),
  );
});

test('the source map points at the file that defined each winning value', async () => {
  const r = await loadWithExtends(join(X, 'child.yml'));
  const map = r.located?.map;
  assert.deepEqual(map?.get('/volume/partitions/root/size'), {
    file: join(X, 'child.yml'),
    key: { line: 6, col: 7 },
    value: { line: 6, col: 13 },
  });
  assert.equal(map?.get('/volume/partitions/root/filesystem')?.file, join(X, 'base.yml'));
  assert.equal(map?.get('/system/timezone')?.file, join(X, 'middle.yml'));
  assert.equal(map?.get('/packages/install/0')?.file, join(X, 'middle.yml'));
  assert.equal(map?.line(join(X, 'base.yml'), 1), 'name: base-image');
});

test('extends may be a list, applied in order', async () => {
  const r = await loadWithExtends(join(X, 'list-child.yml'));
  const data = r.located?.data as Record<string, Record<string, unknown>>;
  assert.equal(data['system']?.['locale'], 'fr_FR', 'list-b.yml comes last and wins');
  assert.deepEqual(data['tags'], { from: 'a', also: 'b' });
  assert.equal(r.located?.map.get('/system/locale')?.file, join(X, 'list-b.yml'));
});

test('a cycle is reported at the extends line that closes it', async () => {
  const r = await loadWithExtends(join(X, 'cycle-a.yml'));
  assert.equal(r.located, undefined);
  assert.equal(r.issues.length, 1);
  assert.equal(r.issues[0]?.file, join(X, 'cycle-b.yml'));
  assert.equal(r.issues[0]?.line, 1);
  assert.equal(r.issues[0]?.message, 'extends cycle: cycle-a.yml -> cycle-b.yml -> cycle-a.yml');
});

test('a file that extends itself is a cycle too', async () => {
  const { dir, cleanup } = await manifestDir({ 'self.yml': 'name: x\nextends: [self.yml]\n' });
  try {
    const r = await loadWithExtends(join(dir, 'self.yml'));
    assert.deepEqual([r.issues[0]?.line, r.issues[0]?.col, r.issues[0]?.pointer], [2, 11, '/extends/0']);
    assert.match(r.issues[0]?.message ?? '', /^extends cycle: self.yml -> self.yml$/);
  } finally {
    await cleanup();
  }
});

test('a missing extends file is reported at the extends line of the file that names it', async () => {
  const r = await loadWithExtends(join(X, 'missing.yml'));
  assert.equal(r.issues.length, 1);
  assert.deepEqual([r.issues[0]?.file, r.issues[0]?.line, r.issues[0]?.col], [join(X, 'missing.yml'), 2, 1]);
  assert.match(r.issues[0]?.message ?? '', /^extends: cannot find "does-not-exist.yml"/);
});

test('a syntax error in an extended file is reported in that file', async () => {
  const { dir, cleanup } = await manifestDir({ 'a.yml': 'extends: sub/b.yml\n', 'sub/b.yml': 'name: [x\n' });
  try {
    const r = await loadWithExtends(join(dir, 'a.yml'));
    assert.equal(r.issues[0]?.file, join(dir, 'sub/b.yml'));
    assert.match(r.issues[0]?.message ?? '', /YAML syntax error/);
  } finally {
    await cleanup();
  }
});

test('extends must name files', async () => {
  const { dir, cleanup } = await manifestDir({ 'a.yml': 'name: x\nextends: {a: 1}\n' });
  try {
    const r = await loadWithExtends(join(dir, 'a.yml'));
    assert.deepEqual(
      [r.issues[0]?.line, r.issues[0]?.message],
      [2, 'extends must be a file name or a list of file names'],
    );
  } finally {
    await cleanup();
  }
});

test('schema errors inside an extended file point at that file', async () => {
  const r = await loadManifest(join(X, 'bad-child.yml'), {
    registry: fakeRegistry(),
    now: new Date('2025-01-01T00:00:00Z'),
  });
  assert.equal(r.errors.length, 1);
  const e = r.errors[0];
  assert.deepEqual(
    [e?.file, e?.line, e?.col, e?.pointer],
    [join(X, 'bad-base.yml'), 13, 3, '/system/relase'],
  );
  assert.equal(e?.message, 'unknown key "relase"');
  assert.equal(e?.hint, 'did you mean "release"?');
});

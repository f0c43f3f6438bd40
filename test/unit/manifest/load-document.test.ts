import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadDocument, parseText } from '../../../src/manifest/load-document.js';
import { stripJsonComments } from '../../../src/manifest/strip-json-comments.js';
import { FIXTURES, manifestDir } from './fake-registry.js';

function ok(result: Awaited<ReturnType<typeof loadDocument>>) {
  assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.issues));
  return result.doc;
}

test('records the key and value positions of members and list items', () => {
  const doc = ok(
    parseText('/m.yml', 'system:\n  release: bookworm\npackages:\n  install:\n    - a\n    -   b\n'),
  );
  assert.deepEqual(doc.map.get('/system/release'), {
    file: '/m.yml',
    key: { line: 2, col: 3 },
    value: { line: 2, col: 12 },
  });
  assert.deepEqual(doc.map.get('/packages/install/1'), { file: '/m.yml', value: { line: 6, col: 9 } });
  assert.deepEqual(doc.map.locate('/system/release/nothing'), {
    file: '/m.yml',
    pos: { line: 2, col: 3 },
    exact: false,
  });
  assert.deepEqual(doc.data, { system: { release: 'bookworm' }, packages: { install: ['a', 'b'] } });
});

test('keys with dots and slashes get escaped pointers', () => {
  const doc = ok(parseText('/m.yml', 'packages:\n  apt.conf.d:\n    a/b~c: x\n'));
  assert.equal(doc.map.get('/packages/apt.conf.d/a~1b~0c')?.key?.line, 3);
});

test('reads YAML 1.1 like PyYAML: yes/no booleans and << merge keys, with positions', () => {
  const doc = ok(
    parseText(
      '/m.yml',
      'defaults: &d\n  tarball: yes\n  workspace: /w\nbootstrapper:\n  <<: *d\n  workspace: /target\n',
    ),
  );
  assert.deepEqual(doc.data['bootstrapper'], { tarball: true, workspace: '/target' });
  // The merged key is located at its anchor's definition; the explicit key at its own line.
  assert.equal(doc.map.get('/bootstrapper/tarball')?.key?.line, 2);
  assert.equal(doc.map.get('/bootstrapper/workspace')?.key?.line, 6);
});

test('unquoted dates stay text, as str() of a PyYAML date would', () => {
  const doc = ok(parseText('/m.yml', 'tags:\n  built: 2024-01-02\n'));
  assert.deepEqual(doc.data['tags'], { built: '2024-01-02' });
});

test('a YAML syntax error is an issue with its line, not a throw', () => {
  const r = parseText('/m.yml', 'name: x\nsystem:\n  release: [bookworm\n  arch: amd64\n');
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.ok(r.issues.length >= 1);
  const first = r.issues[0];
  assert.equal(first?.file, '/m.yml');
  // At the unclosed bracket, with the line where the parser noticed it as a second pointer.
  assert.deepEqual([first?.line, first?.col], [3, 12]);
  assert.equal(first?.sourceLine, '  release: [bookworm');
  assert.match(first?.message ?? '', /^YAML syntax error: .*\[ opened here is not closed/);
  assert.equal(first?.hint, 'the parser noticed it at line 4, column 3');
  assert.doesNotMatch(first?.message ?? '', /\n/);
});

test('a duplicate key is reported at its second occurrence', () => {
  const r = parseText('/m.yml', 'name: a\nsystem:\n  release: x\n  release: y\n');
  assert.equal(r.ok, false);
  if (!r.ok) assert.deepEqual([r.issues[0]?.line, r.issues[0]?.col], [4, 3]);
});

test('empty files and comment-only files are reported as empty', () => {
  for (const text of ['', '# only a comment\n', '---\n']) {
    const r = parseText('/m.yml', text);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.issues[0]?.message, 'the manifest is empty');
  }
});

test('a top level that is not a mapping is reported at its line', () => {
  const r = parseText('/m.yml', '# list\n- a\n- b\n');
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.match(r.issues[0]?.message ?? '', /must be a mapping of sections, not a list/);
    assert.equal(r.issues[0]?.line, 2);
  }
});

test('binary files, invalid UTF-8 and missing files are issues with a line', async () => {
  const { dir, cleanup } = await manifestDir({
    'bin.yml': new Uint8Array([0x6e, 0x61, 0x0a, 0x00, 0x01, 0x02]),
    'latin1.yml': new Uint8Array([...Buffer.from('name: a\nlocale: '), 0xe9, 0x0a]),
  });
  try {
    const bin = await loadDocument(join(dir, 'bin.yml'));
    assert.equal(bin.ok, false);
    if (!bin.ok)
      assert.deepEqual(
        [bin.issues[0]?.message, bin.issues[0]?.line],
        ['this is a binary file, not a YAML or JSON manifest', 2],
      );
    const latin = await loadDocument(join(dir, 'latin1.yml'));
    assert.equal(latin.ok, false);
    if (!latin.ok)
      assert.deepEqual(
        [latin.issues[0]?.message, latin.issues[0]?.line],
        ['the manifest is not valid UTF-8 text', 2],
      );
    const missing = await loadDocument(join(dir, 'nope.yml'));
    assert.equal(missing.ok, false);
    if (!missing.ok) assert.match(missing.issues[0]?.message ?? '', /cannot read manifest: file not found/);
  } finally {
    await cleanup();
  }
});

test('JSON manifests with comments load with positions that match the file', async () => {
  const doc = ok(await loadDocument(join(FIXTURES, 'minimal.json')));
  assert.equal((doc.data['system'] as Record<string, unknown>)['release'], 'bookworm');
  assert.deepEqual(doc.map.get('/system_typo')?.key, { line: 12, col: 3 });
  assert.equal(stripJsonComments('{"a": "//not a comment"} // yes'), '{"a": "//not a comment"}       ');
  assert.equal(stripJsonComments('/* a\nb */1'), '    \n    1');
});

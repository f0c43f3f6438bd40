import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIssue } from '../../../src/manifest/format-issue.js';
import { closest, editDistance } from '../../../src/manifest/suggest.js';

const issue = {
  file: '/work/manifests/x.yml',
  line: 12,
  col: 3,
  pointer: '/system/relase',
  message: 'unknown key "relase"',
  hint: 'did you mean "release"?',
  sourceLine: '  relase: bookworm',
};

test('formats file:line:col /pointer: message, a code frame with a caret under the key, and the hint', () => {
  assert.equal(
    formatIssue(issue, { color: false, cwd: '/work' }),
    [
      'manifests/x.yml:12:3 /system/relase: unknown key "relase"',
      '  12 |   relase: bookworm',
      '     |   ^^^^^^',
      '  hint: did you mean "release"?',
    ].join('\n'),
  );
});

test('paths outside the cwd stay absolute; no frame or hint when there is none', () => {
  const { sourceLine: _s, hint: _h, ...bare } = issue;
  assert.equal(
    formatIssue(bare, { color: false, cwd: '/elsewhere' }),
    '/work/manifests/x.yml:12:3 /system/relase: unknown key "relase"',
  );
});

test('color adds ANSI codes only when asked', () => {
  const ESC = String.fromCharCode(27);
  assert.ok(formatIssue(issue, { color: true, cwd: '/work' }).includes(`${ESC}[31munknown key`));
  assert.ok(!formatIssue(issue, { color: false, cwd: '/work' }).includes(ESC));
});

test('a quoted value is underlined whole', () => {
  const { hint: _h, ...noHint } = issue;
  const out = formatIssue(
    { ...noHint, col: 11, sourceLine: '  locale: "en US"' },
    { color: false, cwd: '/work' },
  );
  assert.match(out, /\n {5}\| {11}\^{7}(\n|$)/);
});

test('suggestions use Damerau-Levenshtein and only when close', () => {
  assert.equal(editDistance('relase', 'release'), 1);
  assert.equal(editDistance('bookwrom', 'bookworm'), 1, 'a transposition is one edit');
  assert.equal(closest('relase', ['release', 'locale']), 'release');
  assert.equal(closest('xyz', ['release', 'locale']), undefined);
  assert.equal(closest('Release', ['release']), 'release');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { strftimeValues } from '../../../src/manifest/strftime.js';
import {
  DEFAULT_APT_MIRROR,
  TemplateError,
  expandTemplate,
  manifestVariables,
  variableNames,
} from '../../../src/manifest/variables.js';
import { VALID, loadText } from './fake-registry.js';

const NOW = new Date('2026-11-23T14:05:09.123Z');

test('the 23 strftime keys render as Python does in the C locale (values checked against CPython)', () => {
  const v = strftimeValues(NOW);
  assert.equal(Object.keys(v).length, 23);
  const python: Record<string, string> = {
    '%a': 'Mon',
    '%A': 'Monday',
    '%b': 'Nov',
    '%B': 'November',
    '%c': 'Mon Nov 23 14:05:09 2026',
    '%d': '23',
    '%f': '123000',
    '%H': '14',
    '%I': '02',
    '%j': '327',
    '%m': '11',
    '%M': '05',
    '%p': 'PM',
    '%S': '09',
    '%U': '47',
    '%w': '1',
    '%W': '47',
    '%x': '11/23/26',
    '%X': '14:05:09',
    '%y': '26',
    '%Y': '2026',
    '%z': '+0000',
    '%Z': 'UTC',
  };
  assert.deepEqual(v, python);
  const jan1 = strftimeValues(new Date('2024-01-01T00:00:00Z'));
  assert.deepEqual(
    [jan1['%c'], jan1['%I'], jan1['%p'], jan1['%U'], jan1['%W'], jan1['%j'], jan1['%w']],
    ['Mon Jan  1 00:00:00 2024', '12', 'AM', '00', '01', '001', '1'],
  );
});

test('variables are the manifest with lists dropped, plus time keys and apt mirrors', () => {
  const vars = manifestVariables(
    { system: { release: 'trixie' }, packages: { install: ['a'], security: 'http://sec' } },
    NOW,
  );
  assert.deepEqual(vars['system'], { release: 'trixie' });
  assert.deepEqual(vars['packages'], { security: 'http://sec' });
  assert.equal(vars['apt_mirror'], DEFAULT_APT_MIRROR);
  assert.equal(vars['apt_security'], 'http://sec');
  assert.ok(variableNames(vars).includes('system.release'));
});

test('templates expand nested keys, item syntax, strftime keys and doubled braces', () => {
  const vars = manifestVariables(
    { system: { release: 'trixie', arch: 'amd64' }, provider: { name: 'ec2', enhanced: true } },
    NOW,
  );
  assert.equal(
    expandTemplate('debian-{system.release}-{system.arch}-{%Y}{%m}{%d}-{%H}{%M}', vars),
    'debian-trixie-amd64-20261123-1405',
  );
  assert.equal(expandTemplate('{provider[name]} {provider.enhanced}', vars), 'ec2 True');
  assert.equal(expandTemplate('{{literal}} {{{system.release}}} }}', vars), '{literal} {trixie} }');
  assert.equal(expandTemplate('no variables', vars), 'no variables');
});

test('a small format-spec subset works like Python', () => {
  const vars = { a: 'ab', n: 5 };
  assert.equal(
    expandTemplate('{a:>6}|{a:^7}|{n:04d}|{n:+d}|{a:.2}|{a!r}', vars),
    "    ab|  ab   |0005|+5|ab|'ab'",
  );
  assert.throws(() => expandTemplate('{n:,.3f}', vars), TemplateError);
});

test('unknown variables and malformed braces throw TemplateError with suggestions', () => {
  const vars = manifestVariables(
    { system: { release: 'trixie', architecture: 'amd64' }, packages: { install: ['x'] } },
    NOW,
  );
  const err = (t: string) => {
    try {
      expandTemplate(t, vars);
    } catch (e) {
      assert.ok(e instanceof TemplateError);
      return e;
    }
    assert.fail(`${t} expanded`);
  };
  assert.deepEqual(err('{system.relase}').suggestions, ['system.release']);
  assert.equal(err('{system.relase}').variable, 'system.relase');
  assert.equal(err('{packages.install}').variable, 'packages.install', 'lists are not variables');
  assert.deepEqual(err('{sytem.release}').suggestions, ['system.release']);
  assert.deepEqual(err('{sytem.nothing}').suggestions, [], 'no suggestion when the rest does not exist');
  assert.match(err('{a').message, /unclosed "\{"/);
  assert.match(err('a}').message, /single "\}"/);
  assert.match(err('{}').message, /positional field/);
  assert.match(err('{0}').message, /positional field/);
});

test('manifest.expand uses the fixed build time', async () => {
  const r = await loadText(VALID, { now: NOW });
  assert.equal(r.manifest?.expand('{name}-{%Y}-{%j}'), 'test-{system.release}-2026-327');
  assert.equal(r.manifest?.expand('{system.release}'), 'bookworm');
});

test('unknown variables in expanded fields are errors at their line', async () => {
  const text =
    VALID.replace('name: test-{system.release}', 'name: test-{system.relase}-{%Y}') +
    'packages:\n  sources:\n    "{sytem.release}-extra":\n      - deb {apt_mirorr} {system.release} main\n  install:\n    - foo/{system.release}-backports\n' +
    'plugins:\n  commands:\n    commands:\n      - [chroot, "{root}", "{nope}"]\n';
  const r = await loadText(text);
  assert.deepEqual(
    r.errors.map((e) => [e.line, e.col, e.pointer, e.message, e.hint]),
    [
      [1, 1, '/name', 'unknown variable "{system.relase}"', 'did you mean {system.release}?'],
      [
        22,
        5,
        '/packages/sources/{sytem.release}-extra',
        'unknown variable "{sytem.release}"',
        'did you mean {system.release}?',
      ],
      [
        23,
        9,
        '/packages/sources/{sytem.release}-extra/0',
        'unknown variable "{apt_mirorr}"',
        'did you mean {apt_mirror}?',
      ],
      [
        29,
        28,
        '/plugins/commands/commands/0/2',
        'unknown variable "{nope}"',
        'variables are manifest keys such as {system.release}, time keys such as {%Y}, and {apt_mirror}; write {{ and }} for literal braces',
      ],
    ],
  );
});

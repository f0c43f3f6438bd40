import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import {
  BuildState,
  INSTALL_PACKAGES_AFTER_BOOTSTRAP,
  ROOT_DIR,
  type CheckReporter,
} from '../../../../src/api/index.js';
import { baseManifestData, testContext, testManifest } from '../../../helpers/fake-context.js';
import { debconfPlugin } from '../../../../plugins/debconf/index.js';
import { parseSelections, passwordValues } from '../../../../plugins/debconf/selections.js';
import { deferPackages, setDebconfSelections } from '../../../../plugins/debconf/tasks.js';

const manifest = (text: unknown) =>
  testManifest({ ...baseManifestData, plugins: { debconf: text as never } });

function check(text: unknown): string[] {
  const out: string[] = [];
  const report: CheckReporter = {
    error: (p, m) => void out.push(`error ${p}: ${m}`),
    warn: (p, m) => void out.push(`warn ${p}: ${m}`),
  };
  debconfPlugin.check?.(manifest(text), report);
  return out;
}

const hostHasDebconf = spawnSync('debconf-set-selections', ['--help']).error === undefined;

describe('debconf selections', () => {
  it('parses owner, question, type and value, with comments, blank lines, CRLF and continuations', () => {
    const { selections, problems } = parseSelections(
      '# comment\n\nlocales locales/default_environment_locale select en_US.UTF-8\r\n' +
        'tzdata tzdata/Areas \\\nselect Etc\n  d-i  passwd/root-password password  two words\n',
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(
      selections.map((s) => [s.line, s.owner, s.question, s.type, s.value]),
      [
        [3, 'locales', 'locales/default_environment_locale', 'select', 'en_US.UTF-8'],
        [4, 'tzdata', 'tzdata/Areas', 'select', 'Etc'],
        [6, 'd-i', 'passwd/root-password', 'password', ' two words'],
      ],
    );
    assert.deepEqual(passwordValues(selections), ['two words']);
  });

  it('reports unparsable lines as errors and unknown types or non-boolean booleans as warnings', () => {
    const { problems } = parseSelections('pkg only-two\npkg q bogus v\npkg q boolean yes\npkg q seen true\n');
    assert.deepEqual(
      problems.map((p) => `${p.line} ${p.severity}`),
      ['1 error', '2 warning', '3 warning'],
    );
    assert.deepEqual(
      parseSelections('# nothing\n').problems.map((p) => p.message),
      ['no selections in it'],
    );
  });

  it(
    "agrees with the host's debconf-set-selections --checkonly on what is an error",
    { skip: !hostHasDebconf },
    () => {
      for (const text of [
        'tzdata tzdata/Areas select Etc\n',
        'pkg only-two\n',
        'pkg q bogus v\n',
        'pkg q string\n',
        'a b \\\nstring c\n',
        '   \n# c\npkg q boolean true\n',
      ]) {
        const ours = parseSelections(text).problems.some(
          (p) => p.severity === 'error' && p.message !== 'no selections in it',
        );
        const theirs = spawnSync('debconf-set-selections', ['--checkonly'], { input: text }).status !== 0;
        assert.equal(ours, theirs, JSON.stringify(text));
      }
    },
  );
});

describe('debconf/set-selections', () => {
  it("pipes the manifest's string into the image's debconf-set-selections, password values masked", async () => {
    const state = new BuildState();
    state.set(ROOT_DIR, '/mnt/image');
    const text = 'tzdata tzdata/Areas select Etc\nmysql-server mysql-server/root_password password hunter22';
    const ctx = testContext({ manifest: manifest(text), state });
    await setDebconfSelections.run(ctx);
    assert.deepEqual(ctx.runner.lines(), ['[chroot] debconf-set-selections']);
    assert.equal(ctx.runner.calls[0]?.chrootRoot, '/mnt/image');
    assert.equal(ctx.runner.calls[0]?.options?.input, `${text}\n`);
    assert.deepEqual(ctx.runner.calls[0]?.options?.secrets, ['hunter22']);
  });

  it('runs before anything installs packages', () => {
    assert.equal(setDebconfSelections.phase, 'package-installation');
    assert.deepEqual(setDebconfSelections.before, ['base/apt-upgrade', 'base/install-packages']);
  });

  it('keeps the manifest packages out of the bootstrap, so they are installed after the preseeding', async () => {
    const ctx = testContext({ manifest: testManifest(baseManifestData) });
    assert.equal(ctx.state.get(INSTALL_PACKAGES_AFTER_BOOTSTRAP), false);
    assert.equal(deferPackages.phase, 'preparation');
    await deferPackages.run(ctx);
    assert.equal(ctx.state.get(INSTALL_PACKAGES_AFTER_BOOTSTRAP), true);
  });
});

describe('debconf plugin check', () => {
  it('points at plugins.debconf with the line inside the string', () => {
    assert.deepEqual(check('tzdata tzdata/Areas select Etc\n'), []);
    assert.deepEqual(check('tzdata tzdata/Areas select Etc\nbroken\n'), [
      'error /plugins/debconf: line 2 of the selections: expected "package question type value", got "broken"',
    ]);
    assert.match(check('a q boolean yes')[0] ?? '', /^warn \/plugins\/debconf: line 1 .*true or false/);
    assert.deepEqual(check({ not: 'a string' }), [], 'the schema reports that one');
  });
});

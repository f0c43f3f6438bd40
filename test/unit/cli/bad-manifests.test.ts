/**
 * The corpus of bad manifests (test/fixtures/bad-manifests/, issue 16): each file's first line says
 * where `validate` must point and what it must say (`# expect: LINE REGEX`); each must exit 2, at
 * that file and line, without a stack trace. Run in-process through validateCommand (spawning the CLI
 * 70 times is slow on a loaded machine); a few cases below spawn it to check the real exit code.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { validateCommand } from '../../../src/cli/commands/validate.js';
import type { Output } from '../../../src/cli/output.js';

const DIR = 'test/fixtures/bad-manifests';
const STACK = /\n\s+at [^\n]*:\d+:\d+\)?/;

async function validate(files: string[], set?: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const out: Output = { color: false, out: (t) => lines.push(t), err: (t) => lines.push(t) };
  const code = await validateCommand(files, { offline: true, ...(set ? { set } : {}) }, out);
  return { code, text: lines.join('\n') };
}

const cases = readdirSync(DIR)
  .filter((f) => f.endsWith('.yml') && !f.startsWith('_'))
  .sort();

describe('bad manifests corpus (test/fixtures/bad-manifests)', () => {
  it('has at least 60 cases', () => assert.ok(cases.length >= 60, String(cases.length)));
  for (const name of cases) {
    const file = join(DIR, name);
    const header = /^# expect: (\d+) (.+)$/m.exec(readFileSync(file, 'utf8').split('\n')[0] ?? '');
    it(name, async () => {
      assert.ok(header, `${file} has no "# expect: LINE REGEX" first line`);
      const [, line, rx] = header;
      const r = await validate([file]);
      assert.equal(r.code, 2, r.text);
      // The first error of the file is at the expected line, and says what is expected.
      const at = new RegExp(`${file.replaceAll('.', '\\.')}:${line}:\\d+[^\\n]*${rx}`);
      assert.match(r.text, at, r.text);
      assert.doesNotMatch(r.text, STACK);
      assert.doesNotMatch(r.text, /internal error/);
    });
  }
});

describe('bad command lines and inputs', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'bad-inputs-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));
  const base = join(process.cwd(), DIR, '_base.yml');

  for (const [set, rx] of [
    ['__proto__.x=1', /\(--set\):1:1: --set __proto__\.x=1: "__proto__" cannot be a key/],
    ['system.constructor.x=1', /\(--set\):1:1: .*"constructor" cannot be a key/],
    ['tags.prototype=1', /\(--set\):1:1: .*"prototype" cannot be a key/],
    ['tags={__proto__: x}', /\(--set\):1:1: .*"__proto__" cannot be a key/],
    ['system.hostname=a;b', /\(--set\):1:1 \/system\/hostname: .*host name/],
    ['packages.install=[-oAPT::x=1]', /\(--set\):1:1 \/packages\/install\/0: .*package name/],
  ] as const) {
    it(`--set ${set}`, async () => {
      const r = await validate([base], [set]);
      assert.equal(r.code, 2, r.text);
      assert.match(r.text, rx);
      assert.doesNotMatch(r.text, STACK);
      // Nothing reached Object.prototype.
      assert.equal(({} as Record<string, unknown>)['x'], undefined);
    });
  }

  it('/dev/zero, a directory and a 1 GiB sparse file are refused from their stat', async () => {
    const big = join(tmp, 'big.yml');
    writeFileSync(big, '');
    truncateSync(big, 1024 ** 3);
    for (const [file, rx] of [
      ['/dev/zero', /\/dev\/zero:1:1: cannot read manifest: is a character device, not a regular file/],
      [tmp, /:1:1: cannot read manifest: is a directory, not a regular file/],
      [big, /big\.yml:1:1: cannot read manifest: is 1 GiB, more than the 1 MiB a manifest may be/],
    ] as const) {
      const started = Date.now();
      const r = await validate([file]);
      assert.equal(r.code, 2, r.text);
      assert.match(r.text, rx);
      assert.ok(Date.now() - started < 30_000, 'refused without reading');
    }
  });

  it('extends of a file over 1 MiB is refused at the extends line', async () => {
    const big = join(tmp, 'big2.yml');
    writeFileSync(big, '');
    truncateSync(big, 2 * 1024 ** 2);
    const child = join(tmp, 'child.yml');
    writeFileSync(child, `# a child\nextends: ${big}\n`);
    const r = await validate([child]);
    assert.equal(r.code, 2, r.text);
    assert.match(r.text, /child\.yml:2:1 \/extends: extends: ".*big2\.yml" is 2 MiB, more than the 1 MiB/);
  });

  it('the CLI: validate /dev/zero exits 2 at once, with no stack trace', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'validate', '/dev/zero'], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, BOOTSTRAP_OFFLINE: '1' },
    });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /\/dev\/zero:1:1: cannot read manifest: is a character device/);
    assert.doesNotMatch(r.stderr, STACK);
  });
});

/**
 * The CLI as a new user meets it: each mistake gives a short message that points at the file and
 * line, exit code 2, and never a stack trace.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli, type CliResult } from '../../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'bootstrap-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const good = readFileSync('manifests/debian-qemu.yml', 'utf8');
copyFileSync('manifests/debian-qemu.yml', join(dir, 'good.yml'));

// In process (test/helpers/run-cli.ts): bad-manifests.test.ts checks the exit code of a real process.
const bootstrap = (...args: string[]): Promise<CliResult> => runCli(args);

function write(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const cases: { name: string; content: string | Buffer; expect: RegExp }[] = [
  {
    name: 'typo.yml',
    content: good.replace('  release: trixie', '  relase: trixie'),
    expect: /typo\.yml:\d+:3 \/system\/relase: unknown key "relase"\n[\s\S]*did you mean "release"/,
  },
  {
    name: 'type.yml',
    content: good.replace('  timezone: UTC', '  timezone: [UTC]'),
    expect: /type\.yml:\d+:\d+ \/system\/timezone: .*string/,
  },
  {
    name: 'size.yml',
    content: good.replace('size: 1920MiB', 'size: 19.2GB'),
    expect: /size\.yml:\d+:\d+ \/volume\/partitions\/root\/size: size "19\.2GB" must look like/,
  },
  {
    name: 'plugin.yml',
    content: 'extends: good.yml\nplugins:\n  minimize_sise: {}\n',
    expect:
      /plugin\.yml:3:3 \/plugins\/minimize_sise: unknown plugin "minimize_sise"\n[\s\S]*did you mean "minimize_size"/,
  },
  {
    name: 'extends.yml',
    content: 'extends: nothere.yml\n',
    expect: /extends\.yml:1:1 \/extends: .*nothere\.yml/,
  },
  {
    name: 'syntax.yml',
    content: 'name: x\nprovider: {name: kvm\nsystem:\n  release: bookworm\n',
    expect: /syntax\.yml:\d+:\d+: YAML syntax error/,
  },
  { name: 'empty.yml', content: '', expect: /empty\.yml:1:1: the manifest is empty/ },
  {
    name: 'binary.yml',
    content: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0, 0, 0xff]),
    expect: /binary\.yml:1:\d+: .*binary/,
  },
  {
    name: 'release.yml',
    content: good.replace('release: trixie', 'release: bookwrom'),
    expect: /release\.yml:\d+:\d+ \/system\/release: .*bookwrom[\s\S]*bookworm/,
  },
  {
    name: 'bootmap.yml',
    content: good.replace('type: gpt', 'type: msdos').replace(/ {4}efi:\n {6}size: 127MiB\n/, ''),
    expect: /bootmap\.yml:\d+:\d+ \/system\/boot_mode: .*gpt/,
  },
];

describe('bad manifests, as a new user writes them', () => {
  for (const c of cases) {
    it(`${c.name}: points at the file and line, exit 2, no stack trace`, async () => {
      const file = write(c.name, c.content);
      const r = await bootstrap('validate', file);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, c.expect);
      assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+\)?\n/, 'no stack trace');
      assert.ok(r.stderr.split('\n').length < 25, 'fits on one screen');
      // build refuses the same way, before any work (and without needing root)
      const b = await bootstrap(file, '--dry-run');
      assert.equal(b.status, 2);
      assert.match(b.stderr, /nothing was built/);
    });
  }

  it('a missing manifest file is exit 2 with its path', async () => {
    const r = await bootstrap('validate', join(dir, 'missing.yml'));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /missing\.yml/);
  });

  it('an unknown option is a usage error (exit 2)', async () => {
    const r = await bootstrap('plan', join(dir, 'good.yml'), '--frmat', 'json');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown option '--frmat'/);
  });
});

describe('plan, validate and schema on a good manifest', () => {
  it('plan --format json lists tasks in execution order with id, phase, description, plugin', async () => {
    const r = await bootstrap('plan', join(dir, 'good.yml'), '--format', 'json');
    assert.equal(r.status, 0, r.stderr);
    const plan = JSON.parse(r.stdout) as {
      tasks: { id: string; phase: string; description: string; plugin: string }[];
    };
    const ids = plan.tasks.map((t) => t.id);
    assert.ok(ids.indexOf('base/create-workspace') < ids.indexOf('base/bootstrap-os'));
    assert.ok(ids.indexOf('base/bootstrap-os') < ids.indexOf('base/install-grub'));
    assert.deepEqual(Object.keys(plan.tasks[0] ?? {}).sort(), ['description', 'id', 'phase', 'plugin']);
  });

  it('plan is identical over repeated runs', async () => {
    const a = (await bootstrap('plan', join(dir, 'good.yml'), '--format', 'json')).stdout;
    const b = (await bootstrap('plan', join(dir, 'good.yml'), '--format', 'json')).stdout;
    assert.equal(a, b);
  });

  it('plan --format dot is a Graphviz digraph', async () => {
    const r = await bootstrap('plan', join(dir, 'good.yml'), '--format', 'dot');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^digraph /);
  });

  it('--set overrides a value, and a bad --set is a usage error', async () => {
    const ok = await bootstrap('plan', join(dir, 'good.yml'), '--set', 'name=custom-{system.release}');
    assert.match(ok.stdout, /plan for custom-trixie/);
    const older = await bootstrap(
      'plan',
      join(dir, 'good.yml'),
      '--set',
      'name=custom-{system.release}',
      '--set',
      'system.release=bookworm',
    );
    assert.equal(older.status, 0, older.stderr);
    assert.match(older.stdout, /plan for custom-bookworm/);
    const sid = await bootstrap('plan', join(dir, 'good.yml'), '--set', 'system.release=sid');
    assert.equal(sid.status, 0, sid.stderr);
    assert.match(sid.stdout, /plan for debian-sid-/);
    assert.match(
      sid.stderr,
      /^warning: .*\/system\/release: Debian sid is supported on a best-effort basis/m,
    );
    const bad = await bootstrap('validate', join(dir, 'good.yml'), '--set', 'system.release');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--set/);
  });

  it('--dry-run runs the whole plan, records commands and touches nothing', async () => {
    const report = join(dir, 'dry-report.json');
    const r = await bootstrap(join(dir, 'good.yml'), '--dry-run', '--progress', 'plain', '--report', report);
    assert.equal(r.status, 0, r.stderr);
    const rep = JSON.parse(readFileSync(report, 'utf8')) as { status: string; tasks: { status: string }[] };
    assert.equal(rep.status, 'success');
    assert.ok(rep.tasks.every((t) => t.status === 'ok'));
  });
});

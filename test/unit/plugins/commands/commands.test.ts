import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BuildError, ROOT_DIR, type ManifestData } from '../../../../src/api/index.js';
import { loadManifest } from '../../../../src/manifest/load-manifest.js';
import { expandTemplate } from '../../../../src/manifest/variables.js';
import { BUILTIN_PLUGINS, createRegistry } from '../../../../src/registry/builtin-registry.js';
import { checkCommands } from '../../../../plugins/commands/check-commands.js';
import {
  expandArgument,
  expandCommand,
  needsShell,
  splitAtRoot,
} from '../../../../plugins/commands/expand-command.js';
import { commandsPlugin } from '../../../../plugins/commands/index.js';
import { runCommands } from '../../../../plugins/commands/run-commands.js';
import {
  baseManifestData,
  tempDir,
  testContext,
  testManifest,
  TestRunner,
} from '../../../helpers/fake-context.js';

const BASE_MANIFEST = new URL('../../../../manifests/debian-qemu.yml', import.meta.url).pathname;
const vars = { system: { release: 'bookworm' }, '%Y': '2025' };
const expand = (t: string) => expandTemplate(t, vars);

function withCommands(commands: readonly (readonly string[])[]): ManifestData {
  return { ...baseManifestData, plugins: { commands: { commands } } };
}

function reporter() {
  const errors: { pointer: string; message: string; hint?: string }[] = [];
  return {
    errors,
    error: (pointer: string, message: string, hint?: string) =>
      errors.push({ pointer, message, ...(hint ? { hint } : {}) }),
    warn: () => {},
  };
}

describe('commands: expanding {root} and manifest variables', () => {
  it('splits at {root} only outside {{ }} escapes', () => {
    assert.deepEqual(splitAtRoot('{root}/etc/{root}x'), ['', '/etc/', 'x']);
    assert.deepEqual(splitAtRoot('{{root}}/{root}'), ['{{root}}/', '']);
    assert.deepEqual(splitAtRoot('plain'), ['plain']);
  });

  it('replaces {root} with the image root and expands the other fields like bootstrap-vz', () => {
    assert.equal(
      expandArgument('{root}/etc/{system.release}-{%Y}', '/mnt/img', expand),
      '/mnt/img/etc/bookworm-2025',
    );
    assert.equal(expandArgument('{{root}} is {root}', '/mnt/img', expand), '{root} is /mnt/img');
  });

  it('keeps each argument one argument, whatever it expands to', () => {
    const argv = expandCommand(['touch', '{root}/a b/{system.release}'], '/r oot', expand);
    assert.deepEqual(argv, ['touch', '/r oot/a b/bookworm']);
  });

  it('fails on an unknown variable, as the manifest check does', () => {
    assert.throws(() => expandArgument('{system.relase}', '/r', expand), /relase/);
  });

  it('recognises one-string commands that only a shell could run', () => {
    assert.equal(needsShell(['chroot {root} rm -rf /x']), true);
    assert.equal(needsShell(['ls|wc']), true);
    assert.equal(needsShell(['sync']), false);
    assert.equal(needsShell(['sh', '-c', 'a && b']), false);
  });
});

describe('commands/run-commands', () => {
  it('runs every command on the host, in order, with {root} and variables expanded', async () => {
    const runner = new TestRunner();
    const ctx = testContext({
      runner,
      manifest: testManifest(
        withCommands([
          ['touch', '{root}/var/www/index.html'],
          ['chroot', '{root}', 'systemctl', 'enable', 'ssh.service'],
          ['sh', '-c', 'echo {system.release} > "$1/etc/release"', 'sh', '{root}'],
        ]),
      ),
    });
    ctx.state.set(ROOT_DIR, '/mnt/image');
    await runCommands.run(ctx);
    assert.deepEqual(
      runner.calls.map((c) => [c.chrootRoot, c.argv]),
      [
        [undefined, ['touch', '/mnt/image/var/www/index.html']],
        [undefined, ['chroot', '/mnt/image', 'systemctl', 'enable', 'ssh.service']],
        [undefined, ['sh', '-c', 'echo bookworm > "$1/etc/release"', 'sh', '/mnt/image']],
      ],
    );
  });

  it('expands every command before running the first, so a bad template runs nothing', async () => {
    const runner = new TestRunner();
    const manifest = testManifest(withCommands([['true'], ['echo', '{nope}']]));
    const ctx = testContext({
      runner,
      manifest: {
        ...manifest,
        expand: (t) => {
          if (t.includes('{nope}')) throw new Error('unknown variable nope');
          return t;
        },
      },
    });
    ctx.state.set(ROOT_DIR, '/mnt/image');
    await assert.rejects(
      runCommands.run(ctx),
      (err: unknown) => err instanceof BuildError && /commands\[1\]/.test(err.message),
    );
    assert.equal(runner.calls.length, 0);
  });

  it('stops at the first failing command', async () => {
    const runner = new TestRunner();
    runner.run = async function (argv) {
      runner.calls.push({ argv, options: {} });
      if (argv[0] === 'false') throw new Error('command failed: false');
      return { argv, exitCode: 0, stdout: '', stderr: '', durationMs: 0 };
    };
    const ctx = testContext({
      runner,
      manifest: testManifest(withCommands([['true'], ['false'], ['touch', '/x']])),
    });
    ctx.state.set(ROOT_DIR, '/mnt/image');
    await assert.rejects(runCommands.run(ctx), /false/);
    assert.deepEqual(runner.lines(), ['true', 'false']);
  });

  it('refuses to run before the image root is mounted', async () => {
    const ctx = testContext({ manifest: testManifest(withCommands([['true']])) });
    await assert.rejects(runCommands.run(ctx), /the image root is not mounted/);
  });
});

describe('commands: manifest checks', () => {
  it('reports a one-string shell command at its pointer with the argv to write instead', () => {
    const report = reporter();
    checkCommands(
      testManifest(withCommands([['true'], ['chroot {root} rm -rf /usr/share/locale/[^en]*']])),
      report,
    );
    assert.equal(report.errors.length, 1);
    assert.equal(report.errors[0]?.pointer, '/plugins/commands/commands/1');
    assert.match(report.errors[0]?.hint ?? '', /\["sh", "-c", "chroot \{root\} rm -rf/);
  });

  it('gives the file and line of the bad command when the manifest is loaded', async () => {
    const dir = await tempDir();
    try {
      const file = join(dir.path, 'm.yml');
      await writeFile(
        file,
        `extends: ${BASE_MANIFEST}\nplugins:\n  commands:\n    commands:\n      - [touch, "{root}/x"]\n      - ["chroot {root} apt-get clean"]\n`,
      );
      const registry = createRegistry([...BUILTIN_PLUGINS, commandsPlugin]);
      const result = await loadManifest(file, { registry, now: new Date('2025-01-01T00:00:00Z') });
      assert.equal(result.manifest, undefined);
      const issue = result.errors.find((e) => e.pointer === '/plugins/commands/commands/1');
      assert.ok(issue, JSON.stringify(result.errors));
      assert.equal(issue.file, file);
      assert.equal(issue.line, 6);
    } finally {
      await dir.cleanup();
    }
  });

  it('adds its one task', () => {
    const added: string[] = [];
    commandsPlugin.resolveTasks(testManifest(withCommands([['true']])), {
      add: (...tasks) => added.push(...tasks.map((t) => t.id)),
      remove: () => {},
      has: () => false,
    });
    assert.deepEqual(added, ['commands/run-commands']);
    assert.equal(runCommands.phase, 'user-modification');
  });
});

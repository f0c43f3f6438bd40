/**
 * Foreign-architecture builds (src/host/foreign-arch.ts) against a fake binfmt_misc directory: what is
 * reported missing, and what setupEmulation does in each state (mount, update-binfmts, by hand).
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  binfmtEntry,
  checkEmulation,
  emulationCommands,
  formatEmulationProblems,
  hostArchitecture,
  needsEmulation,
  parseBinfmtEntry,
  registrationLine,
  setupEmulation,
} from '../../../src/host/foreign-arch.js';

const DEBIAN_LINE =
  ':qemu-aarch64:M::\\x7f\\x45\\x4c\\x46\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00' +
  ':\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff' +
  ':/usr/libexec/qemu-binfmt/aarch64-binfmt-P:OPF';
const ENTRY = (enabled: boolean, flags: string) =>
  `${enabled ? 'enabled' : 'disabled'}\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: ${flags}\noffset 0\n`;

const roots: string[] = [];
after(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

/** A fake host: binfmt dir (mounted = has `register`), binfmt.d with Debian's line. */
async function fakeHost(o: { mounted: boolean; entry?: string; conf?: string }) {
  const root = await mkdtemp(join(tmpdir(), 'binfmt-'));
  roots.push(root);
  const dir = join(root, 'binfmt_misc');
  const conf = join(root, 'binfmt.d');
  await mkdir(dir);
  await mkdir(conf);
  if (o.mounted) await writeFile(join(dir, 'register'), '');
  if (o.entry !== undefined) await writeFile(join(dir, 'qemu-aarch64'), o.entry);
  await writeFile(join(conf, 'qemu-aarch64.conf'), `${o.conf ?? DEBIAN_LINE}\n`);
  const calls: string[] = [];
  // The fake kernel: mounting creates `register`; a line written to it creates the entry; -1 removes it.
  const writeProc = async (path: string, text: string) => {
    calls.push(`write ${path.slice(dir.length + 1)} ${text.trim().slice(0, 13)}`);
    if (path.endsWith('/register')) {
      const flags = text.trim().split(':')[7] ?? '';
      await writeFile(join(dir, 'qemu-aarch64'), ENTRY(true, flags));
    } else if (text === '-1') await rm(path);
  };
  const opts = { host: 'amd64', binfmtDir: dir, confDirs: [conf] };
  return { dir, conf, calls, writeProc, opts };
}

describe('foreign architectures', () => {
  it('knows what runs natively', () => {
    assert.equal(hostArchitecture('x64'), 'amd64');
    assert.equal(hostArchitecture('arm64'), 'arm64');
    assert.equal(needsEmulation('arm64', 'amd64'), true);
    assert.equal(needsEmulation('arm64', 'arm64'), false);
    assert.equal(needsEmulation('amd64', 'amd64'), false);
    assert.equal(needsEmulation('i386', 'amd64'), false);
    assert.equal(needsEmulation('amd64', 'arm64'), true);
    assert.equal(binfmtEntry('arm64'), 'qemu-aarch64');
    assert.deepEqual(emulationCommands('arm64', undefined), ['qemu-aarch64-static', 'arch-test']);
    assert.deepEqual(emulationCommands('arm64', 'debootstrap'), ['qemu-aarch64-static']);
  });

  it('parses a binfmt_misc entry', () => {
    assert.deepEqual(parseBinfmtEntry(ENTRY(true, 'POF')), {
      enabled: true,
      flags: 'POF',
      interpreter: '/usr/libexec/qemu-binfmt/aarch64-binfmt-P',
    });
  });

  it('a native build needs nothing', async () => {
    const h = await fakeHost({ mounted: false });
    const s = await checkEmulation('arm64', { ...h.opts, host: 'arm64' });
    assert.equal(s.needed, false);
    assert.deepEqual(s.problems, []);
  });

  it('reports binfmt_misc not mounted, with the command that fixes it', async () => {
    const h = await fakeHost({ mounted: false });
    const s = await checkEmulation('arm64', h.opts);
    assert.equal(s.needed, true);
    assert.match(s.problems.join('\n'), /binfmt_misc is not mounted/);
    const text = formatEmulationProblems(s, 'manifests/debian-qemu-arm64.yml');
    assert.match(text, /this amd64 host cannot run arm64 programs, which the build of an arm64 image runs/);
    assert.match(text, /or build on an arm64 host$/);
    assert.match(text, /bootstrap doctor --fix manifests\/debian-qemu-arm64\.yml/);
  });

  it('reports an entry without the F flag and a disabled one', async () => {
    const noF = await fakeHost({ mounted: true, entry: ENTRY(true, 'P') });
    assert.match((await checkEmulation('arm64', noF.opts)).problems.join(), /lacks the F flag/);
    const off = await fakeHost({ mounted: true, entry: ENTRY(false, 'PF') });
    assert.match((await checkEmulation('arm64', off.opts)).problems.join(), /disabled/);
    const good = await fakeHost({ mounted: true, entry: ENTRY(true, 'POF') });
    assert.deepEqual((await checkEmulation('arm64', good.opts)).problems, []);
  });

  it('adds the F flag to a registration line that lacks it', async () => {
    const h = await fakeHost({ mounted: true, conf: DEBIAN_LINE.replace(/:OPF$/, ':OP') });
    assert.match(await registrationLine('arm64', [h.conf]), /:OPF$/);
    await assert.rejects(registrationLine('arm64', ['/nonexistent']), /install qemu-user-static/);
  });

  it('setup without update-binfmts: mounts, then registers by hand, and says so', async () => {
    const h = await fakeHost({ mounted: false });
    const done = await setupEmulation(
      'arm64',
      {
        run: async (argv) => {
          h.calls.push(argv.join(' '));
          if (argv[0] === 'mount') await writeFile(join(h.dir, 'register'), '');
        },
        findCommand: async () => undefined,
        writeProc: h.writeProc,
      },
      h.opts,
    );
    assert.deepEqual(h.calls, [`mount -t binfmt_misc binfmt_misc ${h.dir}`, 'write register :qemu-aarch64']);
    assert.deepEqual(done, [
      `mounted binfmt_misc at ${h.dir}`,
      `registered qemu-aarch64 in ${h.dir}/register (flags OPF)`,
    ]);
    assert.deepEqual((await checkEmulation('arm64', h.opts)).problems, []);
  });

  it('setup with binfmt-support: update-binfmts enables the entry', async () => {
    const h = await fakeHost({ mounted: true });
    const done = await setupEmulation(
      'arm64',
      {
        run: async (argv) => {
          h.calls.push(argv.join(' '));
          if (argv[1] === '--enable') await writeFile(join(h.dir, 'qemu-aarch64'), ENTRY(true, 'PF'));
        },
        findCommand: async (c) => (c === 'update-binfmts' ? '/usr/sbin/update-binfmts' : undefined),
        writeProc: h.writeProc,
      },
      h.opts,
    );
    assert.deepEqual(h.calls, [
      'update-binfmts --import qemu-aarch64',
      'update-binfmts --enable qemu-aarch64',
    ]);
    assert.deepEqual(done, ['enabled qemu-aarch64 with update-binfmts (binfmt-support)']);
  });

  it('setup replaces an entry without the F flag', async () => {
    const h = await fakeHost({ mounted: true, entry: ENTRY(true, 'P') });
    const done = await setupEmulation(
      'arm64',
      { run: async () => undefined, findCommand: async () => undefined, writeProc: h.writeProc },
      h.opts,
    );
    assert.deepEqual(h.calls, ['write qemu-aarch64 -1', 'write register :qemu-aarch64']);
    assert.equal(done.length, 2);
    assert.match(await readFile(join(h.dir, 'qemu-aarch64'), 'utf8'), /flags: OPF/);
  });

  it('setup does nothing when emulation already works', async () => {
    const h = await fakeHost({ mounted: true, entry: ENTRY(true, 'POF') });
    const done = await setupEmulation(
      'arm64',
      {
        run: async () => assert.fail('no command'),
        findCommand: async () => undefined,
        writeProc: h.writeProc,
      },
      h.opts,
    );
    assert.deepEqual(done, []);
  });
});

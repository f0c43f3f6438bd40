/**
 * The Debian package (scripts/build-deb.sh): lintian finds no errors in it, and
 * `apt-get install ./bootstrap_*.deb` into a fresh Debian 12 minbase chroot installs it with its
 * dependencies from the mirror; there `bootstrap --version`, `man bootstrap`, and `bootstrap plan` and
 * a dry-run build of the shipped manifests/debian-qemu.yml from / work.
 *
 * Why a real chroot and apt, not `dpkg -x` into a directory: the point is that the package installs on
 * a fresh machine, which only apt on a real Debian 12 shows (Depends resolvable, the shipped Node's
 * shared libraries there, nothing fetched at install time, the man page indexed by man-db's trigger).
 * mmdebstrap builds the chroot in its own temporary directory under ours, runs the checks as a
 * customize hook (with /proc, /sys and /dev mounted by mmdebstrap) and deletes it (target /dev/null),
 * so nothing large stays behind. It costs about a minute for minbase plus the dependencies' download.
 * The package is built with gzip (DEB_COMPRESSION: under a minute, where the default xz takes
 * minutes on a loaded 2-core machine; zstd is faster still but lintian rejects it); the content is the
 * same as the default build's. BOOTSTRAP_DEB=path tests an existing .deb instead.
 * Needs root, mmdebstrap, dpkg-dev, lintian and the Debian mirror (scripts/setup-host.sh).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const isRoot = process.getuid?.() === 0;
const missing = ['mmdebstrap', 'lintian', 'dpkg-shlibdeps'].filter(
  (c) => spawnSync('sh', ['-c', `command -v ${c}`]).status !== 0,
);
const skip = !isRoot
  ? 'needs root'
  : missing.length
    ? `needs ${missing.join(', ')} (scripts/setup-host.sh)`
    : false;

const children = new Set<ChildProcess>();

/** Runs argv, collecting its output; a child still running when the tests end is stopped in after(). */
function run(
  argv: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), {
      env: opts.env ?? process.env,
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      children.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Mount points at or below dir, deepest first (/proc/self/mountinfo, octal escapes decoded). */
function mountsBelow(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .map((p) => p.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p) => p === dir || p.startsWith(dir + '/'))
    .sort((a, b) => b.length - a.length);
}

const tail = (text: string, lines = 40): string => text.trimEnd().split('\n').slice(-lines).join('\n');

describe('the Debian package', { skip, timeout: 30 * 60_000 }, () => {
  let base = '';
  let deb = '';

  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'deb-package-'));
    if (process.env['BOOTSTRAP_DEB']) {
      deb = process.env['BOOTSTRAP_DEB'];
      return;
    }
    const start = performance.now();
    const r = await run(['bash', 'scripts/build-deb.sh', join(base, 'out')], {
      env: { ...process.env, DEB_COMPRESSION: 'gzip', TMPDIR: base },
    });
    assert.equal(r.code, 0, `build-deb.sh failed:\n${tail(r.stdout + r.stderr)}`);
    deb = r.stdout.trim().split('\n').at(-1) ?? '';
    assert.match(basename(deb), /^bootstrap_[\w.~+-]+_(amd64|arm64)\.deb$/);
    console.log(`built ${basename(deb)} in ${((performance.now() - start) / 1000).toFixed(0)} s`);
  });

  /** Stops what failed or timed-out tests left running and unmounts what they left mounted. */
  async function stopLeftovers(): Promise<void> {
    // mmdebstrap removes its chroot on SIGTERM.
    for (const child of children) child.kill('SIGTERM');
    await Promise.all([...children].map((c) => new Promise((resolve) => c.once('close', resolve))));
    if (base) for (const m of mountsBelow(base)) spawnSync('umount', ['--lazy', m]);
  }

  after(async () => {
    await stopLeftovers();
    if (base && mountsBelow(base).length === 0) await rm(base, { recursive: true, force: true });
  });

  it('has the files, the fields and the man page it should', async () => {
    const info = await run(['dpkg-deb', '--field', deb]);
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, /^Package: bootstrap$/m);
    assert.match(info.stdout, /^Depends: .*\bmmdebstrap\b.*\bqemu-utils\b/m);
    assert.match(info.stdout, /^Recommends: .*\bqemu-system-/m);
    const files = await run(['dpkg-deb', '--contents', deb]);
    for (const path of [
      './usr/bin/bootstrap',
      './usr/lib/bootstrap/package.json',
      './usr/lib/bootstrap/node/bin/node',
      './usr/lib/bootstrap/dist/src/cli/main.js',
      './usr/lib/bootstrap/data/releases.yml',
      './usr/lib/bootstrap/templates/',
      './usr/lib/bootstrap/plugins/ec2/bundle/certs/cert-ec2.pem',
      './usr/lib/bootstrap/node_modules/commander/package.json',
      './usr/share/bootstrap/manifests/debian-qemu.yml',
      './usr/share/man/man1/bootstrap.1.gz',
      './usr/share/bash-completion/completions/bootstrap',
      './usr/share/doc/bootstrap/copyright',
      './usr/share/doc/bootstrap/changelog.Debian.gz',
    ]) {
      assert.ok(files.stdout.includes(` ${path}`), `${path} is in the package`);
    }
    assert.ok(!/ \.\/usr\/lib\/bootstrap\/node_modules\/(typescript|eslint|tsx)\//.test(files.stdout));
    // man-db renders it without warnings (what lintian's manpage check runs, too).
    const dir = join(base, 'x');
    await mkdir(dir);
    assert.equal((await run(['dpkg-deb', '-x', deb, dir])).code, 0);
    const man = await run(
      ['man', '--warnings', '-E', 'UTF-8', '-l', join(dir, 'usr/share/man/man1/bootstrap.1.gz')],
      { env: { ...process.env, MANPAGER: 'cat', MANWIDTH: '80', LANG: 'C.UTF-8' } },
    );
    assert.equal(man.code, 0, man.stderr);
    assert.equal(man.stderr, '', 'no groff warnings');
    for (const command of ['build', 'validate', 'plan', 'boot-test', 'schema', 'doctor', 'cleanup'])
      assert.match(man.stdout, new RegExp(`bootstrap ${command}\\b`));
    assert.match(man.stdout, /--dry-run/);
    await rm(dir, { recursive: true });
  });

  it('lintian reports no errors', async (t) => {
    const r = await run(['lintian', '--fail-on', 'error', deb]);
    t.diagnostic(`lintian:\n${r.stdout.trim() || '(nothing)'}`);
    assert.doesNotMatch(r.stdout, /^E: /m);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });

  it('apt installs it into a fresh Debian 12, and it runs from any directory', async (t) => {
    const results = join(base, 'results');
    await mkdir(results);
    const name = basename(deb);
    // The customize hook runs on the host with the chroot as $1, each check's output and status in
    // results/, so every check runs even when one fails.
    const hook = join(base, 'check-in-chroot.sh');
    await writeFile(
      hook,
      `#!/bin/sh
root=$1
cp '${deb}' "$root/tmp/${name}"
check() {
  name=$1; shift
  chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \\
    DEBIAN_FRONTEND=noninteractive BOOTSTRAP_OFFLINE=1 MANPAGER=cat MANWIDTH=80 \\
    sh -c "cd / && $*" >'${results}'/"$name" 2>&1
  echo $? >'${results}'/"$name.rc"
}
check simulate apt-get install --simulate -o APT::Install-Recommends=true /tmp/${name}
check install apt-get install --yes --no-install-recommends /tmp/${name}
check version bootstrap --version
check man man bootstrap
check plan bootstrap plan manifests/debian-qemu.yml
check dry-run bootstrap manifests/debian-qemu.yml --dry-run --log - --progress plain --color never
check completion bash -n /usr/share/bash-completion/completions/bootstrap
check remove apt-get remove --yes --purge bootstrap
check leftovers ls -A /usr/lib/bootstrap /usr/share/bootstrap
exit 0
`,
    );
    await chmod(hook, 0o755);
    const start = performance.now();
    const r = await run(
      [
        'mmdebstrap',
        '--mode=root',
        '--variant=minbase',
        '--include=man-db',
        `--customize-hook=${hook}`,
        'bookworm',
        '/dev/null',
      ],
      { env: { ...process.env, TMPDIR: base } },
    );
    t.diagnostic(`mmdebstrap and the checks: ${((performance.now() - start) / 1000).toFixed(0)} s`);
    assert.equal(r.code, 0, `mmdebstrap failed:\n${tail(r.stderr)}`);
    const result = async (check: string) => ({
      rc: Number(await readFile(join(results, `${check}.rc`), 'utf8')),
      out: await readFile(join(results, check), 'utf8'),
    });

    const simulate = await result('simulate');
    assert.equal(simulate.rc, 0, simulate.out);
    // The Recommends resolve too (apt installs them by default, mmdebstrap's chroot does not): boot-test's
    // QEMU among them.
    assert.match(simulate.out, /^Inst qemu-system-/m);
    const install = await result('install');
    assert.equal(install.rc, 0, tail(install.out));
    assert.match(install.out, /Setting up bootstrap /);

    const version = await result('version');
    assert.equal(version.rc, 0, version.out);
    const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    assert.equal(version.out.trim(), pkg.version);

    const man = await result('man');
    assert.equal(man.rc, 0, man.out);
    assert.match(man.out, /^BOOTSTRAP\(1\)/m);
    assert.match(man.out, /bootstrap boot-test/);

    const plan = await result('plan');
    assert.equal(plan.rc, 0, tail(plan.out));
    assert.match(plan.out, /^plan for debian-\w+-amd64-qemu-\d{8}: \d+ tasks$/m);
    const dry = await result('dry-run');
    assert.equal(dry.rc, 0, tail(dry.out));
    assert.match(dry.out, /^dry run of .*: done in/m);

    assert.equal((await result('completion')).rc, 0, (await result('completion')).out);
    const remove = await result('remove');
    assert.equal(remove.rc, 0, tail(remove.out));
    const leftovers = await result('leftovers');
    assert.notEqual(leftovers.rc, 0, `removing the package leaves:\n${leftovers.out}`);
  });

  // A test, not an `after` hook, so the summary counts it: a failing hook made the run exit 1 while the
  // summary said `# fail 0` (issue 17, item 7).
  it('leaves nothing mounted', async () => {
    await stopLeftovers();
    if (base) assert.deepEqual(mountsBelow(base), [], 'nothing stays mounted');
  });
});

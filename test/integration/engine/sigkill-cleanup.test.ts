/**
 * Issue 16, item 7: host recovery after SIGKILL. A real local build (manifests/debian-qemu.yml, cached or not)
 * is SIGKILLed while a command runs in the image's chroot: rollback never runs, so its loop device,
 * mounts (the image root, the apt archive, /proc /sys /dev in the chroot), child processes and
 * workspace stay behind. `bootstrap cleanup` (no flags) removes them from the run's journal, and a
 * second cleanup finds nothing. The state directory is the test's own, so no other build's journal
 * is read.
 *
 * Then two builds of different manifests at once (the cloud-init fixture, which extends
 * debian-qemu.yml, and debian-qemu.yml), sharing the cache and the state directory: one is SIGKILLed mid-way and
 * `bootstrap cleanup` runs while the other is still building. Cleanup leaves the live build alone
 * (its journal's owner is alive), which finishes and succeeds; the killed one's leftovers are gone.
 * And the same two builds at once with no kill: both succeed and leave nothing behind.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { loopsUnder, mountsUnder, processesUnder } from '../../helpers/host-leftovers.js';

const isRoot = process.getuid?.() === 0;
const hasTools = ['mmdebstrap', 'losetup', 'findmnt'].every(
  (t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0,
);
const skip = !isRoot ? 'needs root' : !hasTools ? 'needs mmdebstrap, losetup, findmnt' : false;

function processAlive(pid: number, start: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] === start;
  } catch {
    return false;
  }
}

/** Spawns `bootstrap MANIFEST` with JSON progress; `onEvent` sees each event. */
function startBuild(
  manifest: string,
  ws: string,
  name: string,
  env: NodeJS.ProcessEnv,
  onEvent: (event: Record<string, unknown>, kill: () => void) => void,
): { exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/main.ts',
      manifest,
      '--progress',
      'json',
      '--log',
      '-',
      '--set',
      `bootstrapper.workspace=${ws}`,
      '--set',
      `name=${name}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('exit', (code, signal) => r({ code, signal })),
  );
  const kill = () => child.kill('SIGKILL');
  const lines = (async () => {
    for await (const line of createInterface({ input: child.stdout })) {
      try {
        onEvent(JSON.parse(line) as Record<string, unknown>, kill);
      } catch {
        // not JSON
      }
    }
  })();
  return { exited: lines.then(() => closed).then((r) => ({ ...r, stderr })) };
}

/** A command running in the image's chroot: every build has some after the bootstrap, cached or not. */
const inChroot = (event: Record<string, unknown>): boolean => {
  const argv = event['argv'] as string[] | undefined;
  return event['type'] === 'command' && argv?.[0] === 'chroot';
};

describe('SIGKILL during a local build, then bootstrap cleanup', { skip }, () => {
  const work = isRoot ? mkdtempSync('/var/tmp/it-sigkill-') : '/nonexistent';
  const ws = join(work, 'ws');
  const stateDir = join(work, 'state');
  const env = { ...process.env, BOOTSTRAP_STATE_DIR: stateDir };
  after(() => {
    if (mountsUnder(work).length === 0) rmSync(work, { recursive: true, force: true });
  });

  it('leaves no loop device, mount, process or workspace of the run', { timeout: 1_200_000 }, async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'manifests/debian-qemu.yml',
        '--progress',
        'json',
        '--log',
        '-',
        '--set',
        `bootstrapper.workspace=${ws}`,
        '--set',
        'name=it-sigkill',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, s) => r(s)));
    let killedIn: string | undefined;
    for await (const line of createInterface({ input: child.stdout })) {
      let event: Record<string, unknown>;
      try {
        event = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      // Mid-way: a command running in the image's chroot, after the bootstrap. Not apt in particular:
      // with an empty bootstrap cache mmdebstrap installs every package and apt never runs again.
      if (killedIn === undefined && inChroot(event)) {
        killedIn = String(event['task']);
        await new Promise((r) => setTimeout(r, 700));
        child.kill('SIGKILL');
      }
    }
    assert.equal(
      await exited,
      'SIGKILL',
      `the build ended before a command ran in the image's chroot:\n${stderr.slice(-3000)}`,
    );

    const journals = readdirSync(join(stateDir, 'journal'));
    assert.equal(journals.length, 1, 'one journal: the killed run');
    const runId = (journals[0] ?? '').replace(/\.jsonl$/, '');
    const runDir = join(ws, runId);
    const lines = readFileSync(join(stateDir, 'journal', journals[0] ?? ''), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const children = lines
      .filter((l) => l['t'] === 'created' && String(l['key']).startsWith('host-process-'))
      .map((l) => String(l['id']).split(':') as [string, string]);
    // What the kill left: the proof that cleanup has something to do.
    assert.ok(existsSync(runDir), `the workspace ${runDir} is left`);
    assert.ok(loopsUnder(runDir).length > 0, 'a loop device is left');
    assert.ok(mountsUnder(runDir).length > 0, 'mounts are left');
    console.log(
      `killed in ${killedIn}: ${loopsUnder(runDir).length} loop, ${mountsUnder(runDir).length} mounts, ` +
        `${processesUnder(runDir).length} processes, ${children.length} journaled children`,
    );

    const cleanup = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'cleanup'], {
      encoding: 'utf8',
      env,
    });
    assert.equal(cleanup.status, 0, cleanup.stdout + cleanup.stderr);
    assert.match(cleanup.stdout, new RegExp(`${runId} deleted workspace ${runDir}`));

    assert.deepEqual(loopsUnder(runDir), [], 'no loop device of the run');
    assert.deepEqual(mountsUnder(runDir), [], 'no mount of the run');
    assert.deepEqual(processesUnder(runDir), [], 'no process of the run');
    assert.deepEqual(
      children.filter(([pid, start]) => processAlive(Number(pid), start)),
      [],
      'no journaled child still running',
    );
    assert.ok(!existsSync(runDir), 'no workspace directory');

    const again = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'cleanup'], {
      encoding: 'utf8',
      env,
    });
    assert.equal(again.status, 0, again.stdout + again.stderr);
    assert.match(again.stderr, /nothing to clean up/);
    assert.equal(again.stdout, '');
  });
});

describe('two builds at once: killing one and cleaning up does not disturb the other', { skip }, () => {
  const work = isRoot ? mkdtempSync('/var/tmp/it-two-builds-') : '/nonexistent';
  const env = { ...process.env, BOOTSTRAP_STATE_DIR: join(work, 'state') };
  const wsLive = join(work, 'live');
  const wsKilled = join(work, 'killed');
  after(() => {
    if (mountsUnder(work).length === 0) rmSync(work, { recursive: true, force: true });
  });

  it(
    'the live build succeeds; cleanup during it removes only the killed one',
    { timeout: 1_800_000 },
    async () => {
      let liveLoopsDuringCleanup: string[] = [];
      let killSent = false;
      const live = startBuild(
        'test/fixtures/manifests/qemu-cloud-init-ec2.yml',
        wsLive,
        'it-live',
        env,
        () => {},
      );
      const killed = startBuild('manifests/debian-qemu.yml', wsKilled, 'it-killed', env, (event, kill) => {
        if (!killSent && inChroot(event)) {
          killSent = true;
          setTimeout(kill, 700);
        }
      });
      const k = await killed.exited;
      assert.equal(k.signal, 'SIGKILL', `the build to kill ended on its own:\n${k.stderr.slice(-2000)}`);
      const killedRun = readdirSync(wsKilled).find((n) => /^[0-9a-f]{8}$/.test(n)) ?? '';
      const killedDir = join(wsKilled, killedRun);
      assert.ok(loopsUnder(killedDir).length > 0, 'the killed build left a loop device');

      // The live build is still running: cleanup must leave it alone.
      const liveRun = readdirSync(wsLive).find((n) => /^[0-9a-f]{8}$/.test(n));
      assert.ok(liveRun, 'the live build has its workspace');
      const liveDir = join(wsLive, liveRun);
      liveLoopsDuringCleanup = loopsUnder(liveDir);
      const cleanup = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'cleanup'], {
        encoding: 'utf8',
        env,
      });
      const cleanupOut = String(cleanup.stdout) + String(cleanup.stderr);
      assert.equal(cleanup.status, 0, cleanupOut);
      assert.match(cleanupOut, new RegExp(`run ${liveRun}: the build is still running`));
      assert.doesNotMatch(String(cleanup.stdout), new RegExp(liveRun));
      assert.deepEqual(loopsUnder(killedDir), [], 'the killed build has no loop device left');
      assert.deepEqual(mountsUnder(killedDir), [], 'the killed build has no mount left');
      assert.deepEqual(processesUnder(killedDir), [], 'the killed build has no process left');
      assert.ok(!existsSync(killedDir), 'the killed build has no workspace left');
      if (existsSync(liveDir))
        assert.deepEqual(loopsUnder(liveDir), liveLoopsDuringCleanup, 'the live loop is untouched');

      const l = await live.exited;
      assert.equal(l.code, 0, `the live build failed:\n${l.stderr.slice(-3000)}`);
      assert.ok(existsSync(join(wsLive, 'it-live.raw')), 'the live build wrote its image');
      assert.deepEqual(loopsUnder(wsLive), []);
      assert.deepEqual(mountsUnder(wsLive), []);

      const again = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'cleanup'], {
        encoding: 'utf8',
        env,
      });
      assert.equal(again.status, 0, again.stdout + again.stderr);
      assert.match(again.stderr, /nothing to clean up/);
    },
  );
});

describe('two builds of different manifests at once, sharing the cache: both succeed', { skip }, () => {
  const work = isRoot ? mkdtempSync('/var/tmp/it-two-ok-') : '/nonexistent';
  const env = { ...process.env, BOOTSTRAP_STATE_DIR: join(work, 'state') };
  after(() => {
    if (mountsUnder(work).length === 0) rmSync(work, { recursive: true, force: true });
  });

  it('both exit 0 with their images, and leave nothing behind', { timeout: 1_800_000 }, async () => {
    // Started together, so both reach the bootstrap cache (its lock, its entries, the shared .deb
    // archive) at the same time; each has its own workspace, loop device and apt archive.
    const a = startBuild(
      'test/fixtures/manifests/qemu-cloud-init-ec2.yml',
      join(work, 'a'),
      'it-a',
      env,
      () => {},
    );
    const b = startBuild('manifests/debian-qemu.yml', join(work, 'b'), 'it-b', env, () => {});
    const [ra, rb] = await Promise.all([a.exited, b.exited]);
    assert.equal(ra.code, 0, `the cloud-init build failed:\n${ra.stderr.slice(-3000)}`);
    assert.equal(rb.code, 0, `the debian-qemu build failed:\n${rb.stderr.slice(-3000)}`);
    assert.ok(existsSync(join(work, 'a', 'it-a.raw')), 'the cloud-init build wrote its image');
    assert.ok(existsSync(join(work, 'b', 'it-b.raw')), 'the debian-qemu build wrote its image');
    assert.deepEqual(loopsUnder(work), [], 'no loop device left');
    assert.deepEqual(mountsUnder(work), [], 'no mount left');
    assert.deepEqual(processesUnder(work), [], 'no process left');
    // A finished local build deletes its journal: nothing for cleanup to find.
    const cleanup = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'cleanup'], {
      encoding: 'utf8',
      env,
    });
    assert.equal(cleanup.status, 0, cleanup.stdout + cleanup.stderr);
    assert.match(cleanup.stderr, /nothing to clean up/);
  });
});

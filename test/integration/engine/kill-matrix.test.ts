/**
 * Issue 16, item 8. SIGINT half: a local build (manifests/debian-qemu.yml, warm cache) interrupted
 * at the start of each of its phases rolls back and exits 1, leaving no loop device, mount, process,
 * workspace directory, output image or journal file. SIGKILL half: a local build (manifests/debian-qemu.yml, warm cache) SIGKILLed at
 * the start of each of its phases, then `bootstrap cleanup` (no flags): no loop device, mount,
 * process or workspace directory of the run is left, whatever the phase, and a second cleanup finds
 * nothing. Phases the plan has no task in (validation, user modification for this manifest) emit no
 * boundary and are not in the matrix. One build at a time; the test's own state directory.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { hostLeftovers } from '../../helpers/host-leftovers.js';

const isRoot = process.getuid?.() === 0;
const hasTools = ['mmdebstrap', 'losetup', 'findmnt'].every(
  (t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0,
);
const skip = !isRoot ? 'needs root' : !hasTools ? 'needs mmdebstrap, losetup, findmnt' : false;

const PHASES = [
  'preparation',
  'volume-creation',
  'volume-preparation',
  'volume-mounting',
  'os-installation',
  'package-installation',
  'system-modification',
  'system-cleaning',
  'volume-unmounting',
  'image-registration',
  'cleaning',
];

const leftovers = hostLeftovers;

describe('SIGKILL at each phase boundary, then bootstrap cleanup', { skip }, () => {
  const work = isRoot ? mkdtempSync('/var/tmp/it-kill-matrix-') : '/nonexistent';
  after(() => {
    if (leftovers(work).mounts.length === 0) rmSync(work, { recursive: true, force: true });
  });

  for (const phase of PHASES) {
    it(`killed at the start of ${phase}: nothing of the run is left`, { timeout: 900_000 }, async () => {
      const ws = join(work, phase, 'ws');
      const env = { ...process.env, BOOTSTRAP_STATE_DIR: join(work, phase, 'state') };
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
          `name=it-kill-${phase}`,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'], env },
      );
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, s) => r(s)));
      for await (const line of createInterface({ input: child.stdout })) {
        if (line.includes('"phase-start"') && line.includes(`"phase":"${phase}"`)) child.kill('SIGKILL');
      }
      assert.equal(await exited, 'SIGKILL', `the build never reached ${phase}:\n${stderr.slice(-2000)}`);

      const cleanup = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'cleanup'], {
        encoding: 'utf8',
        env,
      });
      assert.equal(cleanup.status, 0, cleanup.stdout + cleanup.stderr);
      const left = leftovers(ws);
      assert.deepEqual(left, { loops: [], mounts: [], processes: [] }, cleanup.stdout + cleanup.stderr);
      const runDirs = existsSync(ws) ? readdirSync(ws).filter((n) => /^[0-9a-f]{8}$/.test(n)) : [];
      assert.deepEqual(runDirs, [], 'no workspace directory of the run');

      const again = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'cleanup'], {
        encoding: 'utf8',
        env,
      });
      assert.equal(again.status, 0, again.stdout + again.stderr);
      assert.match(again.stderr, /nothing to clean up/);
    });
  }
});

describe('SIGINT at each phase boundary: the rollback leaves nothing', { skip }, () => {
  const work = isRoot ? mkdtempSync('/var/tmp/it-int-matrix-') : '/nonexistent';
  after(() => {
    if (leftovers(work).mounts.length === 0) rmSync(work, { recursive: true, force: true });
  });

  for (const phase of PHASES) {
    it(`interrupted at the start of ${phase}: rolled back, nothing left`, { timeout: 900_000 }, async () => {
      const ws = join(work, phase, 'ws');
      const stateDir = join(work, phase, 'state');
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
          `name=it-int-${phase}`,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BOOTSTRAP_STATE_DIR: stateDir } },
      );
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      let sent = false;
      for await (const line of createInterface({ input: child.stdout })) {
        if (!sent && line.includes('"phase-start"') && line.includes(`"phase":"${phase}"`)) {
          sent = true;
          child.kill('SIGINT');
        }
      }
      assert.equal(await exited, 1, stderr.slice(-3000));
      assert.ok(sent, `the build never reached ${phase}`);
      assert.deepEqual(leftovers(ws), { loops: [], mounts: [], processes: [] }, stderr.slice(-3000));
      const entries = existsSync(ws) ? readdirSync(ws) : [];
      assert.deepEqual(
        entries.filter((n) => /^[0-9a-f]{8}$/.test(n) || n.startsWith(`it-int-${phase}.`)),
        [],
        'no workspace directory, no output image',
      );
      const journals = existsSync(join(stateDir, 'journal')) ? readdirSync(join(stateDir, 'journal')) : [];
      assert.deepEqual(journals, [], 'the rollback released everything: no journal left');
    });
  }
});

/**
 * Device-name locks: exclusive between processes (two real node processes race for the same names),
 * stale locks of dead processes are taken over, live ones never; allocation skips names the instance
 * maps or /dev shows.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tryLockDevice } from '../../../../plugins/ec2/ebs-host/device-lock.js';
import { allocateDeviceName, deviceLetter } from '../../../../plugins/ec2/ebs-host/device-names.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ebs-lock-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('tryLockDevice', () => {
  it('is exclusive while held and free again after release', async () => {
    const locks = join(dir, 'a');
    const first = await tryLockDevice('sdf', { dir: locks });
    assert.ok(first);
    assert.equal(readFileSync(first.path, 'utf8'), `${process.pid}\n`);
    assert.equal(await tryLockDevice('sdf', { dir: locks, pid: 999_999 }), undefined);
    await first.release();
    assert.equal(existsSync(first.path), false);
    const again = await tryLockDevice('sdf', { dir: locks });
    assert.ok(again);
    await again.release();
  });

  it('takes over the lock of a dead process, never that of a live one', async () => {
    const locks = join(dir, 'b');
    mkdirSync(locks);
    writeFileSync(join(locks, 'ebs-sdg.lock'), '4000000\n');
    const taken = await tryLockDevice('sdg', { dir: locks, isAlive: () => false });
    assert.ok(taken);
    assert.equal(readFileSync(taken.path, 'utf8'), `${process.pid}\n`);
    writeFileSync(join(locks, 'ebs-sdh.lock'), `${process.ppid}\n`);
    assert.equal(await tryLockDevice('sdh', { dir: locks }), undefined);
    // A lock still being written (no pid yet) is held, not stale.
    writeFileSync(join(locks, 'ebs-sdi.lock'), '');
    assert.equal(await tryLockDevice('sdi', { dir: locks, isAlive: () => false }), undefined);
  });

  it('does not release a lock another process has taken over', async () => {
    const locks = join(dir, 'c');
    const lock = await tryLockDevice('sdj', { dir: locks });
    assert.ok(lock);
    writeFileSync(lock.path, '12345\n');
    await lock.release();
    assert.equal(readFileSync(lock.path, 'utf8'), '12345\n');
  });
});

describe('allocateDeviceName', () => {
  it('skips mapped names in either spelling, names present in /dev, and locked names', async () => {
    const devRoot = join(dir, 'dev');
    mkdirSync(devRoot);
    writeFileSync(join(devRoot, 'xvdh'), '');
    const lockDir = join(dir, 'd');
    const held = await tryLockDevice('sdi', { dir: lockDir });
    const lock = await allocateDeviceName({ mapped: ['/dev/sdf', 'xvdg', '/dev/xvda'], devRoot, lockDir });
    assert.equal(lock.name, 'sdj');
    await lock.release();
    await held?.release();
  });

  it('says so when every name is taken', async () => {
    await assert.rejects(
      allocateDeviceName({ mapped: ['sdf', 'sdg'], letters: 'fg', lockDir: join(dir, 'e'), devRoot: dir }),
      /no free EBS device name among \/dev\/sd\[fg\]/,
    );
  });

  it('reads the letter from any spelling', () => {
    assert.equal(deviceLetter('/dev/sdf'), 'f');
    assert.equal(deviceLetter('xvdp'), 'p');
    assert.equal(deviceLetter('/dev/nvme1n1'), undefined);
  });

  it('gives different names to processes allocating at the same time', async () => {
    const lockDir = join(dir, 'race');
    const devRoot = join(dir, 'empty-dev');
    mkdirSync(devRoot);
    const helper = join(dir, 'alloc.mts');
    const module = fileURLToPath(
      new URL('../../../../plugins/ec2/ebs-host/device-names.ts', import.meta.url),
    );
    // Each child takes 3 names and holds them (stays alive) long enough for the other to allocate too:
    // a dead child's locks would be stale and rightly taken over.
    writeFileSync(
      helper,
      `import { allocateDeviceName } from ${JSON.stringify(module)};\n` +
        `const names = [];\n` +
        `for (let i = 0; i < 3; i++) names.push((await allocateDeviceName({ mapped: [], devRoot: ${JSON.stringify(devRoot)}, lockDir: ${JSON.stringify(lockDir)} })).name);\n` +
        `await new Promise((r) => setTimeout(r, 3000));\n` +
        `console.log(names.join(' '));\n`,
    );
    const run = () =>
      new Promise<string[]>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', helper], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.on('exit', (code) =>
          code === 0 ? resolve(out.trim().split(' ')) : reject(new Error(`exit ${code}`)),
        );
      });
    const [a, b] = await Promise.all([run(), run()]);
    const all = [...(a ?? []), ...(b ?? [])];
    assert.equal(all.length, 6);
    assert.equal(new Set(all).size, 6, `names collided: ${all.join(' ')}`);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRecordingFs, createRecordingRunner } from '../../../src/runner/index.js';
import { LoopDevice, partitionDevice } from '../../../src/volume/loop-device.js';
import { IllegalTransitionError } from '../../../src/volume/state-machine.js';

const losetupShow = (argv: readonly string[]) =>
  argv.includes('--show') ? { stdout: '/dev/loop5\n' } : undefined;

describe('partitionDevice', () => {
  it('adds p when the disk name ends in a digit', () => {
    assert.equal(partitionDevice('/dev/loop0', 2), '/dev/loop0p2');
    assert.equal(partitionDevice('/dev/nvme1n1', 1), '/dev/nvme1n1p1');
    assert.equal(partitionDevice('/dev/xvdf', 3), '/dev/xvdf3');
  });
});

describe('LoopDevice', () => {
  it('attaches with partscan, runs partx -u, waits for the nodes, detaches once', async () => {
    const runner = createRecordingRunner({ dryRun: false, results: losetupShow });
    const fs = createRecordingFs({ '/dev/loop5p1': '', '/dev/loop5p2': '' });
    const loop = new LoopDevice('/ws/disk.raw', { runner, fs });
    assert.equal(await loop.attach([1, 2]), '/dev/loop5');
    assert.equal(loop.partition(2), '/dev/loop5p2');
    await loop.detach();
    await loop.detach();
    assert.deepEqual(runner.lines(), [
      'losetup --find --show --partscan /ws/disk.raw',
      'partx -u /dev/loop5',
      'losetup --detach /dev/loop5',
    ]);
    assert.equal(loop.state, 'detached');
    assert.throws(() => loop.device, /detached/);
  });

  it('falls back to partx -a, then mknod from sysfs, and removes the made node on detach', async () => {
    const runner = createRecordingRunner({
      dryRun: false,
      results: (argv) =>
        losetupShow(argv) ?? (argv[1] === '-u' ? { exitCode: 1, stderr: 'partx: failed' } : undefined),
    });
    const fs = createRecordingFs({ '/dev/loop5p1': '', '/sys/block/loop5/loop5p2/dev': '259:7\n' });
    const logs: string[] = [];
    const loop = new LoopDevice('/ws/disk.raw', {
      runner,
      fs,
      nodeTimeoutMs: 30,
      log: (l, m) => logs.push(`${l}: ${m}`),
    });
    await loop.attach([1, 2]);
    assert.deepEqual(runner.lines().slice(1), [
      'partx -u /dev/loop5',
      'partx -a /dev/loop5',
      'mknod --mode=0660 /dev/loop5p2 b 259 7',
    ]);
    assert.match(logs[0] ?? '', /^warn: \/dev\/loop5p2 did not appear/);
    await loop.detach();
    assert.deepEqual(
      fs.operations.map((o) => `${o.op} ${o.path}`),
      ['remove /dev/loop5p2'],
    );
  });

  it('fails with a clear message when a partition never appears', async () => {
    const runner = createRecordingRunner({ dryRun: false, results: losetupShow });
    const loop = new LoopDevice('/ws/disk.raw', { runner, fs: createRecordingFs(), nodeTimeoutMs: 10 });
    await assert.rejects(() => loop.attach([1]), /partition 1 of \/dev\/loop5 did not appear/);
    assert.equal(loop.state, 'attaching');
    await loop.detach();
    assert.equal(runner.lines().at(-1), 'losetup --detach /dev/loop5', 'a half-done attach is still undone');
  });

  it('retries losetup --detach while busy', async () => {
    let busy = 2;
    const runner = createRecordingRunner({
      dryRun: false,
      results: (argv) =>
        losetupShow(argv) ??
        (argv[1] === '--detach' && busy-- > 0
          ? { exitCode: 1, stderr: 'losetup: /dev/loop5: detach failed: Device or resource busy' }
          : undefined),
    });
    const loop = new LoopDevice('/ws/disk.raw', {
      runner,
      fs: createRecordingFs(),
      detachDelaysMs: [1, 1, 1],
    });
    await loop.attach();
    await loop.detach();
    assert.equal(runner.lines().filter((l) => l.startsWith('losetup --detach')).length, 3);
  });

  it('reports a device still bound after detach (autoclear pending)', async () => {
    const runner = createRecordingRunner({ dryRun: false, results: losetupShow });
    const fs = createRecordingFs({ '/sys/block/loop5/loop/backing_file': '/ws/disk.raw' });
    const loop = new LoopDevice('/ws/disk.raw', { runner, fs, releaseTimeoutMs: 20 });
    await loop.attach();
    await assert.rejects(() => loop.detach(), /still in use after losetup --detach/);
  });

  it('illegal transitions throw', async () => {
    const loop = new LoopDevice('/ws/disk.raw', {
      runner: createRecordingRunner({ results: losetupShow }),
      fs: createRecordingFs(),
    });
    await assert.rejects(() => loop.rescan([1]), IllegalTransitionError);
    await loop.attach();
    await assert.rejects(() => loop.attach(), IllegalTransitionError);
  });

  it('rejects a losetup answer that is not a loop device', async () => {
    const runner = createRecordingRunner({ dryRun: false, results: () => ({ stdout: 'nonsense' }) });
    await assert.rejects(
      () => new LoopDevice('/x', { runner, fs: createRecordingFs() }).attach(),
      /instead of a loop device/,
    );
  });
});

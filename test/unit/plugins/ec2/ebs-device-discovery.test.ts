/**
 * Finding the attached volume's block device in injected /dev and /sys roots: the Xen names, a
 * udev-style symlink resolved to the real disk, NVMe by serial (and not another volume's NVMe disk),
 * and the bounded wait for a device that appears late or never.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { BuildError } from '../../../../src/api/index.js';
import {
  findDeviceOnce,
  nvmeSerial,
  waitForDevice,
} from '../../../../plugins/ec2/ebs-host/device-discovery.js';

let root: string;
let devRoot: string;
let sysRoot: string;
// Inside a describe: scripts/run-tests.mjs runs several files per process.
describe('EBS device discovery', () => {
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ebs-discovery-'));
    devRoot = join(root, 'dev');
    sysRoot = join(root, 'sys');
    mkdirSync(devRoot);
    mkdirSync(join(sysRoot, 'block'), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function nvme(name: string, serial: string): void {
    mkdirSync(join(sysRoot, 'block', name, 'device'), { recursive: true });
    // The kernel pads the serial with spaces to 20 characters.
    writeFileSync(join(sysRoot, 'block', name, 'device', 'serial'), `${serial.padEnd(20)}\n`);
    writeFileSync(join(devRoot, name), '');
  }

  const volumeId = 'vol-0123456789abcdef0';
  const base = () => ({ volumeId, requestedName: '/dev/sdf', devRoot, sysRoot });

  describe('device discovery', () => {
    it('finds /dev/xvdf for /dev/sdf, then /dev/sdf', async () => {
      assert.equal(await findDeviceOnce(base()), undefined);
      writeFileSync(join(devRoot, 'sdf'), '');
      assert.equal(await findDeviceOnce(base()), join(devRoot, 'sdf'));
      writeFileSync(join(devRoot, 'xvdf'), '');
      assert.equal(await findDeviceOnce(base()), join(devRoot, 'xvdf'));
    });

    it('resolves a symlink to the real disk, whose partition nodes are named after it', async () => {
      writeFileSync(join(devRoot, 'loop7'), '');
      symlinkSync(join(devRoot, 'loop7'), join(devRoot, 'xvdf'));
      assert.equal(await findDeviceOnce(base()), join(devRoot, 'loop7'));
    });

    it('finds an NVMe disk by the volume id in its serial, ignoring other NVMe disks', async () => {
      assert.equal(nvmeSerial(volumeId), 'vol0123456789abcdef0');
      nvme('nvme0n1', 'vol0aaaaaaaaaaaaaaaa');
      nvme('nvme1n1', 'vol0123456789abcdef0');
      assert.equal(await findDeviceOnce(base()), join(devRoot, 'nvme1n1'));
      assert.equal(await findDeviceOnce({ ...base(), volumeId: 'vol-0fffffffffffffff0' }), undefined);
    });

    it('waits for a device that appears late', async () => {
      setTimeout(() => nvme('nvme2n1', nvmeSerial(volumeId)), 150);
      const found = await waitForDevice({ ...base(), timeoutMs: 5000, intervalMs: 20 });
      assert.equal(found, join(devRoot, 'nvme2n1'));
    });

    it('gives up after the timeout, naming what it looked for', async () => {
      const started = Date.now();
      await assert.rejects(
        waitForDevice({ ...base(), timeoutMs: 200, intervalMs: 20 }),
        (err: unknown) =>
          err instanceof BuildError &&
          err.message.includes('/dev/xvdf, /dev/sdf and an NVMe disk with serial vol0123456789abcdef0'),
      );
      assert.ok(Date.now() - started < 2000);
    });

    it('stops waiting when the build is interrupted', async () => {
      const ac = new AbortController();
      setTimeout(() => ac.abort(new Error('interrupted')), 50);
      await assert.rejects(
        waitForDevice({ ...base(), timeoutMs: 10_000, intervalMs: 20, signal: ac.signal }),
        /interrupted|abort/i,
      );
    });
  });
});

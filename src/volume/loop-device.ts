/**
 * A loop device over an image file, with its partition nodes.
 * States: detached -> attaching -> attached -> detached. `detach` is the undo and is idempotent.
 *
 * These hosts have no udev and no device-mapper (see host-notes.md): after `losetup --partscan` the
 * kernel knows the partitions, but /dev/loopNpM may be missing. So: `partx -u` (or `-a`), poll for the
 * node, and as a last resort mknod it from /sys/block/loopN/loopNpM/dev; the nodes made here are
 * removed on detach.
 */
import { basename } from 'node:path';
import type { BuildFs } from '../api/fs.js';
import type { LogLevel } from '../api/events.js';
import type { CommandRunner } from '../api/runner.js';
import { BuildError } from '../api/task.js';
import { IllegalTransitionError, StateMachine } from './state-machine.js';
import { isBusyError, pollUntil, retry } from './wait.js';

type State = 'detached' | 'attaching' | 'attached';
type Event = 'begin-attach' | 'attach' | 'detach';

export interface LoopDeviceOptions {
  readonly runner: CommandRunner;
  readonly fs: BuildFs;
  /** Aborts waits during attach; detach ignores it, since rollback runs after an interrupt. */
  readonly signal?: AbortSignal;
  readonly log?: (level: LogLevel, message: string) => void;
  /** How long to wait for a partition node before making it (default 5 s). */
  readonly nodeTimeoutMs?: number;
  /** Delays between `losetup -d` attempts while the device is busy. */
  readonly detachDelaysMs?: readonly number[];
  /** How long detach waits for the kernel to release the device (default 3 s). */
  readonly releaseTimeoutMs?: number;
}

/** Partition node of a disk: /dev/loop0 -> /dev/loop0p1, /dev/nvme1n1 -> /dev/nvme1n1p1, /dev/xvdf -> /dev/xvdf1. */
export function partitionDevice(disk: string, number: number): string {
  return /\d$/.test(disk) ? `${disk}p${number}` : `${disk}${number}`;
}

export class LoopDevice {
  readonly #fsm: StateMachine<State, Event>;
  #device: string | undefined;
  readonly #madeNodes = new Set<string>();

  constructor(
    readonly imagePath: string,
    private readonly opts: LoopDeviceOptions,
  ) {
    this.#fsm = new StateMachine<State, Event>(`loop device for ${imagePath}`, 'detached', {
      'begin-attach': { from: ['detached'], to: 'attaching' },
      attach: { from: ['attaching'], to: 'attached' },
      detach: { from: ['attaching', 'attached'], to: 'detached' },
    });
  }

  get state(): State {
    return this.#fsm.state;
  }

  /** The whole-disk node, e.g. /dev/loop0; throws unless attached. */
  get device(): string {
    if (this.#device === undefined || !this.#fsm.is('attached')) {
      throw new Error(`${this.#fsm.resource} is ${this.#fsm.state}, it has no device`);
    }
    return this.#device;
  }

  partition(number: number): string {
    return partitionDevice(this.device, number);
  }

  /** Attaches the image and waits for the partition nodes `expected` (1-based numbers), if any. */
  async attach(expected: readonly number[] = []): Promise<string> {
    this.#fsm.fire('begin-attach');
    const { stdout } = await this.opts.runner.run(
      ['losetup', '--find', '--show', '--partscan', this.imagePath],
      {
        dryRunResult: { stdout: '/dev/loop0\n' },
      },
    );
    const device = stdout.trim();
    if (!/^\/dev\/loop\d+$/.test(device)) {
      throw new BuildError(`losetup printed "${device}" instead of a loop device for ${this.imagePath}`);
    }
    this.#device = device;
    this.#fsm.resource = `loop device ${device} (${this.imagePath})`;
    await this.#settle(expected);
    this.#fsm.fire('attach');
    return device;
  }

  /** After writing a partition table on the attached device: makes the kernel and /dev see it. */
  async rescan(expected: readonly number[]): Promise<void> {
    if (!this.#fsm.is('attached')) {
      throw new IllegalTransitionError(this.#fsm.resource, 'rescan', this.#fsm.state, ['attached']);
    }
    await this.#settle(expected);
  }

  async #settle(expected: readonly number[]): Promise<void> {
    const { runner, fs } = this.opts;
    const device = this.#device as string;
    if (expected.length === 0) return;
    // partx -u updates partitions the kernel already has; -a adds them when none were scanned yet.
    await runner.run(['partx', '-u', device]).catch(() => runner.run(['partx', '-a', device]));
    if (runner.dryRun) return;
    for (const number of expected) {
      const node = partitionDevice(device, number);
      const timeoutMs = this.opts.nodeTimeoutMs ?? 5000;
      const signal = this.opts.signal;
      const seen = await pollUntil(() => fs.exists(node), {
        timeoutMs,
        intervalMs: 100,
        ...(signal ? { signal } : {}),
      });
      if (!seen) await this.#makeNode(device, number, node);
    }
  }

  async #makeNode(device: string, number: number, node: string): Promise<void> {
    const disk = basename(device);
    const sysfs = `/sys/block/${disk}/${disk}p${number}/dev`;
    const devNumbers = this.opts.fs.exists(sysfs).then((ok) => (ok ? this.opts.fs.readFile(sysfs) : ''));
    const match = /^(\d+):(\d+)\s*$/.exec(await devNumbers);
    if (!match?.[1] || !match[2]) {
      throw new BuildError(
        `partition ${number} of ${device} did not appear (no ${node}, no ${sysfs})`,
        'check that the partition table was written and that the kernel supports loop partitions (max_part)',
      );
    }
    this.opts.log?.(
      'warn',
      `${node} did not appear (no udev?); creating it with mknod ${match[1]}:${match[2]}`,
    );
    this.#madeNodes.add(node);
    await this.opts.runner.run(['mknod', '--mode=0660', node, 'b', match[1], match[2]]);
  }

  /** Detaches the device and removes nodes made by mknod; no-op when nothing is attached. */
  async detach(): Promise<void> {
    if (this.#fsm.is('detached')) return;
    const device = this.#device;
    if (device !== undefined) {
      for (const node of this.#madeNodes) await this.opts.fs.remove(node);
      this.#madeNodes.clear();
      await retry(() => this.opts.runner.run(['losetup', '--detach', device]), {
        delaysMs: this.opts.detachDelaysMs ?? [250, 500, 1000, 2000],
        shouldRetry: (err) => isBusyError(err) && !/No such device/i.test(String(err)),
        onRetry: (_, n) => this.opts.log?.('warn', `${device} is busy; retrying losetup --detach (${n})`),
      }).catch(async (err: unknown) => {
        // Already gone (detached by hand, or autoclear): that is the state we wanted.
        if (!(await this.#isBound(device))) return;
        throw err;
      });
      if (!this.opts.runner.dryRun) await this.#waitReleased(device);
    }
    this.#device = undefined;
    this.#fsm.fire('detach');
  }

  async #isBound(device: string): Promise<boolean> {
    return this.opts.fs.exists(`/sys/block/${basename(device)}/loop/backing_file`);
  }

  // losetup -d on a device still in use only sets autoclear and succeeds; make that visible.
  async #waitReleased(device: string): Promise<void> {
    const gone = await pollUntil(async () => !(await this.#isBound(device)), {
      timeoutMs: 3000,
      intervalMs: 100,
    });
    if (!gone) {
      throw new BuildError(
        `${device} is still in use after losetup --detach (a mount or process holds it; it will detach when released)`,
        `find the holder with: findmnt --source ${device}p1; fuser -vm ${device}`,
      );
    }
  }
}

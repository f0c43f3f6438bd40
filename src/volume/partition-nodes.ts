/**
 * Partition nodes of a whole-disk block device that is not one of our loop devices (an attached EBS
 * volume). sfdisk asks the kernel to re-read the table, but without udev (containers, these hosts)
 * nothing may run afterwards: `partx -u` (or `-a` when the kernel has none yet) makes the kernel see
 * the partitions, devtmpfs or udev then create the nodes, and the wait for them is bounded.
 */
import type { BuildFs } from '../api/fs.js';
import type { CommandRunner } from '../api/runner.js';
import { BuildError } from '../api/task.js';
import { partitionDevice } from './loop-device.js';
import { pollUntil } from './wait.js';

export async function settlePartitionNodes(
  disk: string,
  numbers: readonly number[],
  opts: { runner: CommandRunner; fs: BuildFs; signal?: AbortSignal; timeoutMs?: number },
): Promise<void> {
  if (numbers.length === 0) return;
  const { runner, fs } = opts;
  await runner.run(['partx', '-u', disk]).catch(() => runner.run(['partx', '-a', disk]));
  if (runner.dryRun) return;
  for (const number of numbers) {
    const node = partitionDevice(disk, number);
    const seen = await pollUntil(() => fs.exists(node), {
      timeoutMs: opts.timeoutMs ?? 30_000,
      intervalMs: 100,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    if (!seen) {
      throw new BuildError(
        `partition ${number} of ${disk} did not appear as ${node}`,
        'check that the partition table was written (dmesg) and that udev or devtmpfs creates device nodes',
      );
    }
  }
}

/**
 * Host resources in the build's journal (the cloud journal's file, under the plugin name `host`):
 * the workspace, the loop device, child processes, and what a plugin starts outside the command
 * runner (the boot test's QEMU and swtpm, and their temporary directory). After a SIGKILL,
 * `bootstrap cleanup` stops, unmounts, detaches and deletes what is still open
 * (src/volume/host-cleaners.ts); a build releases each entry once it has removed the resource itself.
 */
import { readFileSync } from 'node:fs';
import type { CloudJournal } from './cloud-journal.js';

export const HOST_JOURNAL_PLUGIN = 'host';

/**
 * A process's start time (field 22 of /proc/<pid>/stat, clock ticks since boot), or undefined. With
 * the pid it names one process: cleanup never signals a later process that reused the pid.
 */
export function processStartTime(pid: number, proc = '/proc'): string | undefined {
  try {
    const stat = readFileSync(`${proc}/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19];
  } catch {
    return undefined;
  }
}

/** Journals a running process; resolves with the key to release once it ended, undefined if it is gone. */
export async function journalHostProcess(journal: CloudJournal, pid: number): Promise<string | undefined> {
  const start = processStartTime(pid);
  if (start === undefined) return undefined;
  const key = `host-process-${pid}-${start}`;
  await journal.intend({ plugin: HOST_JOURNAL_PLUGIN, kind: 'process', key });
  await journal.created(key, `${pid}:${start}`);
  return key;
}

/**
 * Journals a directory of the build's own outside the workspace (cleanup removes it like a
 * workspace: loop devices backed inside it detached, never while something is mounted in it).
 */
export async function journalHostDirectory(journal: CloudJournal, dir: string): Promise<string> {
  const key = `host-dir-${dir}`;
  await journal.intend({ plugin: HOST_JOURNAL_PLUGIN, kind: 'workspace', key });
  await journal.created(key, dir);
  return key;
}

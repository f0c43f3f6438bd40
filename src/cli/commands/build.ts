/**
 * `bootstrap MANIFEST` / `bootstrap build MANIFEST`: validate, plan, check the host, run the plan with
 * rollback on failure or Ctrl-C, write the report. Everything that can be checked is checked before the
 * first task runs, so bad input costs nothing.
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { journalHostProcess, processStartTime, type EventSink, type Manifest } from '../../api/index.js';
import { FORCE_OUTPUT } from '../../base/volume/export-image.js';
import { makePlan, type ManifestPlan } from '../../core/make-plan.js';
import { createFileJournal, type EngineJournal } from '../../engine/cloud-journal-file.js';
import { installInterruptHandlers } from '../../engine/interrupts.js';
import { runPlan } from '../../engine/run-plan.js';
import { PlanError } from '../../graph/resolve-plan.js';
import {
  anArticle,
  checkEmulation,
  emulationCommands,
  formatEmulationProblems,
  needsEmulation,
} from '../../host/foreign-arch.js';
import { findMissingCommands, formatMissing } from '../../host/host-commands.js';
import { createLogSink } from '../../log/log-sink.js';
import { createFileLogger, createNullLogger, type Logger } from '../../log/logger.js';
import {
  createJsonLinesRenderer,
  createPlainRenderer,
  createTeeSink,
  createTtyRenderer,
} from '../../render/index.js';
import { buildReport, cloudCallText, writeReport, type DryRunCommand } from '../../report/build-report.js';
import {
  createHostFs,
  createHostRunner,
  createRecordingFs,
  createRecordingRunner,
  type RecordedCommand,
} from '../../runner/index.js';
import { CliExit, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { failureReport } from '../failure-lines.js';
import { loadForCli, offline } from '../load-for-cli.js';
import type { ColorMode, Output } from '../output.js';

export interface BuildOptions {
  readonly dryRun?: boolean;
  readonly offline?: boolean;
  readonly set?: string[];
  readonly report?: string;
  readonly log?: string;
  readonly debug?: boolean;
  readonly pauseOnError?: boolean;
  /** Replace an existing output image, once the new one is complete (Packer's -force). */
  readonly force?: boolean;
  readonly color: ColorMode;
  readonly progress?: 'auto' | 'tty' | 'plain' | 'json';
}

export const DEFAULT_LOG_DIR = '/var/log/bootstrap';

export async function buildCommand(file: string, opts: BuildOptions, out: Output): Promise<number> {
  const manifest = await loadForCli(file, out, {
    ...(opts.set ? { set: opts.set } : {}),
    preflight: !offline(opts),
    hostFiles: opts.dryRun ? 'warn' : 'error',
  });
  const { plan } = planOrExit(file, () => makePlan(manifest));
  const dryRun = Boolean(opts.dryRun);
  // The dry run goes on without them, with a warning for each (src/engine/run-plan.ts).
  if (!dryRun) refuseUnavailable(file, plan);

  if (!dryRun && process.getuid?.() !== 0) {
    throw new CliExit(
      EXIT_USAGE,
      'bootstrap must run as root to build (loop devices, mounts, chroot); use --dry-run to try a manifest',
      'ERR_NOT_ROOT',
    );
  }
  if (!dryRun) await checkHostCommands(plan, manifest);
  if (!dryRun) await checkForeignArchitecture(file, manifest);

  const name = manifest.expand(manifest.data.name);
  const runId = randomBytes(4).toString('hex');
  const workspace = join(resolve(manifest.data.bootstrapper.workspace), runId);
  const log: Logger =
    opts.log === '-' || (dryRun && opts.log === undefined)
      ? createNullLogger()
      : await createFileLogger(opts.log ?? DEFAULT_LOG_DIR, name);
  const events = makeRenderer(opts, out, log);
  const interrupts = installInterruptHandlers({
    onFirst: () => out.err('\ninterrupted: rolling back (press Ctrl-C again to abort the rollback)'),
    onSecond: () => out.err('\nrollback aborted: some resources may be left behind, see the log'),
  });
  log.info(
    `build of ${resolve(file)} as ${name}, run ${runId}, workspace ${workspace}${dryRun ? ' (dry run)' : ''}`,
  );
  try {
    // Cloud and host resources (workspace, loop device, child processes) for `bootstrap cleanup`; the
    // owner line tells cleanup this build is alive. Dry runs create nothing, so they journal nothing.
    const start = processStartTime(process.pid);
    const journal = dryRun
      ? undefined
      : createFileJournal(runId, undefined, start ? { owner: { pid: process.pid, start } } : {});
    const recorder = dryRun ? createRecordingRunner() : undefined;
    const runner =
      recorder ??
      createHostRunner({
        log,
        signal: interrupts.signal,
        events,
        ...(journal ? { children: childJournal(journal) } : {}),
      });
    const result = await runPlan(plan, {
      manifest,
      workspace,
      runner,
      fs: dryRun ? createRecordingFs() : createHostFs(),
      events,
      signal: interrupts.signal,
      abortRollback: interrupts.abortRollback,
      dryRun,
      runId,
      ...(journal ? { journal } : {}),
      ...(opts.pauseOnError ? { pauseBeforeRollback: waitForEnter(out) } : {}),
      ...(opts.force ? { seedState: (state) => state.set(FORCE_OUTPUT, true) } : {}),
    });
    const report = buildReport({
      manifestFile: resolve(file),
      name,
      result,
      plan,
      ...(recorder ? { commands: recorder.calls.map(dryRunCommand) } : {}),
    });
    if (opts.report) await writeReport(opts.report, report);
    if (result.status === 'success') {
      out.err(
        `${dryRun ? 'dry run of ' : ''}${name}: done in ${report.seconds.toFixed(1)}s` +
          (log.file ? ` (log: ${log.file})` : ''),
      );
      for (const a of result.artifacts)
        if (a.path || a.id) out.out(`${a.kind}: ${a.path ?? a.id}${a.region ? ` (${a.region})` : ''}`);
      // A dry run makes no cloud call: it lists the ones the build would make, in order.
      if (dryRun && result.cloudCalls?.length) {
        out.out('cloud API calls this build would make:');
        for (const c of result.cloudCalls) out.out(`  ${cloudCallText(c)}`);
      }
      return EXIT_OK;
    }
    // A build failure with its code and hint, or a bug (exit 3) with the task id and --debug.
    const failure = failureReport(result, {
      name,
      debug: Boolean(opts.debug),
      ...(log.file ? { logFile: log.file } : {}),
    });
    for (const line of failure.lines) out.err(line);
    return failure.exitCode;
  } finally {
    events.close();
    interrupts.dispose();
    await log.close?.();
  }
}

function dryRunCommand(c: RecordedCommand): DryRunCommand {
  return {
    ...(c.taskId !== undefined ? { task: c.taskId } : {}),
    argv: c.argv,
    ...(c.chrootRoot !== undefined ? { chroot: c.chrootRoot } : {}),
  };
}

function planOrExit(file: string, make: () => ManifestPlan): ManifestPlan {
  try {
    return make();
  } catch (error) {
    if (error instanceof PlanError) {
      throw new CliExit(
        EXIT_USAGE,
        `${file}: the task graph cannot be ordered:\n  ${error.problems.join('\n  ')}`,
        'ERR_PLAN',
      );
    }
    throw error;
  }
}

/** Journals each child process the runner starts (pid and start time) until it exits. */
function childJournal(
  journal: EngineJournal,
): NonNullable<Parameters<typeof createHostRunner>[0]['children']> {
  // Keyed by pid as soon as the child started, so an exit reported before the journal write finished
  // still waits for it and releases the right entry.
  const keys = new Map<number, Promise<string | undefined>>();
  return {
    async started(pid) {
      const key = journalHostProcess(journal, pid);
      keys.set(pid, key);
      await key;
    },
    async exited(pid) {
      const key = await keys.get(pid);
      keys.delete(pid);
      if (key !== undefined) await journal.released(key);
    },
  };
}

/** A plan with a task this version cannot run fails now, not half-way through the build. */
function refuseUnavailable(file: string, plan: ManifestPlan['plan']): void {
  const missing = plan.tasks.filter((t) => t.task.unavailable);
  if (missing.length === 0) return;
  throw new CliExit(
    EXIT_USAGE,
    `${file}: this manifest needs steps this version cannot run yet:\n` +
      missing.map((t) => `  ${t.task.id}: ${t.task.unavailable}`).join('\n') +
      '\nnothing was built; `bootstrap plan` shows the whole plan',
    'ERR_UNAVAILABLE',
  );
}

async function checkHostCommands(plan: ManifestPlan['plan'], manifest: Manifest): Promise<void> {
  const needs = new Map<string, string[]>();
  for (const { task } of plan.tasks) {
    for (const command of task.hostCommands ?? [])
      needs.set(command, [...(needs.get(command) ?? []), task.id]);
  }
  const { architecture } = manifest.data.system;
  if (needsEmulation(architecture)) {
    for (const command of emulationCommands(architecture, manifest.data.bootstrapper.tool))
      needs.set(command, [`(${architecture} on this host)`]);
  }
  const missing = await findMissingCommands(needs);
  if (missing.length > 0) throw new CliExit(EXIT_USAGE, formatMissing(missing), 'ERR_HOST_COMMANDS');
}

/**
 * An image of another architecture is built through qemu-user and binfmt_misc (src/host/foreign-arch.ts):
 * refused before any work when that is not set up, whatever the backing (on an amd64 EC2 instance
 * building an arm64 AMI into an EBS volume too).
 */
async function checkForeignArchitecture(file: string, manifest: Manifest): Promise<void> {
  const status = await checkEmulation(manifest.data.system.architecture);
  if (status.problems.length === 0) return;
  const ebs =
    manifest.data.volume.backing === 'ebs'
      ? `\n(backing ebs: this ${status.host} instance would run the ${status.target} image's programs on the attached volume; ` +
        `set up emulation as above, or build on ${anArticle(status.target)} ${status.target} (Graviton) instance)`
      : '';
  throw new CliExit(
    EXIT_USAGE,
    `${file}: ${formatEmulationProblems(status, file)}${ebs}`,
    'ERR_FOREIGN_ARCH',
  );
}

function makeRenderer(opts: BuildOptions, out: Output, log: Logger): EventSink & { close(): void } {
  const mode = opts.progress ?? 'auto';
  const stream = process.stderr;
  const debug = Boolean(opts.debug);
  const screen =
    mode === 'json'
      ? createJsonLinesRenderer(process.stdout)
      : mode === 'tty' || (mode === 'auto' && stream.isTTY)
        ? createTtyRenderer(stream, { color: out.color, debug })
        : createPlainRenderer(stream, { debug });
  const tee = createTeeSink(screen, createLogSink(log));
  return { emit: (e) => tee.emit(e), close: () => screen.close() };
}

function waitForEnter(out: Output): () => Promise<void> {
  return () =>
    new Promise((resolveWait) => {
      out.err('the build failed; inspect the workspace, then press Enter to roll back');
      const rl = createInterface({ input: process.stdin });
      rl.once('line', () => {
        rl.close();
        resolveWait();
      });
      rl.once('close', () => resolveWait());
    });
}

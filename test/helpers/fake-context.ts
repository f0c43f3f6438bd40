/**
 * In-process fakes for unit tests of tasks: a recording command runner, a Manifest built from plain
 * data, and a TaskContext whose fs is the real filesystem (tests point it at a temp dir).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nodefs from 'node:fs/promises';
import {
  BuildState,
  type BuildFs,
  type CommandResult,
  type CommandRunner,
  type Manifest,
  type ManifestData,
  type RunOptions,
  type TaskContext,
  type Artifact,
  type CloudJournal,
  type CloudCall,
} from '../../src/api/index.js';
import { createCloudClientCache, type CloudClientCache } from '../../src/engine/cloud-client-cache.js';
import { createRecordingRunner, type RecordingRunner } from '../../src/runner/recording-runner.js';

export type { RecordedCommand as RecordedCall } from '../../src/runner/recording-runner.js';

/**
 * The recording runner of src/runner (the one --dry-run uses) with the tests' defaults: it reports
 * `dryRun: false` unless asked, answers with `respond`, and its `lines()` print chroot calls as
 * `[chroot] ` (tests' roots are temp dirs).
 */
export class TestRunner implements CommandRunner {
  readonly #recorder: RecordingRunner;
  readonly dryRun: boolean;
  constructor(
    readonly respond: (argv: readonly string[]) => Partial<CommandResult> | undefined = () => undefined,
    dryRun = false,
  ) {
    this.#recorder = createRecordingRunner({ results: (argv) => this.respond(argv), dryRun });
    this.dryRun = dryRun;
  }

  get calls(): RecordingRunner['calls'] {
    return this.#recorder.calls;
  }

  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    return this.#recorder.run(argv, options);
  }

  chroot(root: string, argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    return this.#recorder.chroot(root, argv, options);
  }

  /** Command lines joined by spaces, chroot calls prefixed with `[chroot] `. */
  lines(): string[] {
    return this.#recorder.lines({ roots: false });
  }
}

export const hostFs: BuildFs = {
  readFile: (p) => nodefs.readFile(p, 'utf8'),
  writeFile: async (p, c, o) => {
    await nodefs.writeFile(p, c);
    if (o?.mode !== undefined) await nodefs.chmod(p, o.mode);
  },
  appendFile: (p, c) => nodefs.appendFile(p, c),
  exists: async (p) =>
    nodefs.lstat(p).then(
      () => true,
      () => false,
    ),
  mkdir: async (p, o) => {
    await nodefs.mkdir(p, { recursive: true, ...(o?.mode !== undefined ? { mode: o.mode } : {}) });
  },
  remove: (p) => nodefs.rm(p, { recursive: true, force: true }),
  symlink: (t, p) => nodefs.symlink(t, p),
  chmod: (p, m) => nodefs.chmod(p, m),
};

/** A Manifest over plain data; `expand` substitutes `{a.b}` lookups only (enough for task tests). */
export function testManifest(data: ManifestData, file = '/tmp/test-manifest.yml'): Manifest {
  return {
    file,
    data,
    release: {
      codename: data.system.release,
      version: '12',
      requested: data.system.release,
      suite: data.system.release,
    },
    pluginSettings: <T>(name: string) => data.plugins?.[name] as T | undefined,
    isPluginEnabled: (name: string) => data.plugins?.[name] !== undefined,
    expand: (t: string) =>
      t.replace(/\{([\w.]+)\}/g, (_, path: string) => {
        let v: unknown = data;
        for (const k of path.split('.')) v = (v as Record<string, unknown> | undefined)?.[k];
        return String(v);
      }),
  };
}

export const baseManifestData: ManifestData = {
  name: 'test-{system.release}',
  provider: { name: 'kvm' },
  bootstrapper: { workspace: '/tmp/ws' },
  system: {
    release: 'bookworm',
    architecture: 'amd64',
    bootloader: 'grub',
    charmap: 'UTF-8',
    locale: 'en_US',
    timezone: 'UTC',
  },
  volume: { backing: 'raw', partitions: { type: 'gpt', root: { filesystem: 'ext4', size: '2GiB' } } },
};

export interface TestContext extends TaskContext {
  readonly runner: TestRunner;
  readonly logs: string[];
  readonly artifacts: Artifact[];
  readonly cloudCalls: CloudCall[];
  /** Closes the cloud clients the context made (the engine does it at the end of a build). */
  closeClients(): void;
}

const clientCaches = new WeakMap<BuildState, CloudClientCache>();

export function testContext(opts: {
  manifest?: Manifest;
  workspace?: string;
  runner?: TestRunner;
  state?: BuildState;
  fs?: BuildFs;
  taskId?: string;
  runId?: string;
  journal?: CloudJournal;
  /** Recording clients by kind name (src/api/cloud-clients.ts); other kinds are made for real. */
  cloud?: ReadonlyMap<string, unknown>;
  /** A dry-run context: kinds not in `cloud` get their recording clients. */
  dryRun?: boolean;
}): TestContext {
  const state = opts.state ?? new BuildState();
  // One cache per build state, as the engine keeps one per build: tests that make a context per task
  // over the same state share the clients (and close them once).
  let clients = clientCaches.get(state);
  if (!clients) {
    clients = createCloudClientCache(opts.dryRun ?? false, opts.cloud);
    clientCaches.set(state, clients);
  }
  const cache = clients;
  const logs: string[] = [];
  const artifacts: Artifact[] = [];
  const cloudCalls: CloudCall[] = [];
  const ctx: TestContext = {
    manifest: opts.manifest ?? testManifest(baseManifestData),
    workspace: opts.workspace ?? '/tmp/ws',
    runner: opts.runner ?? new TestRunner(),
    fs: opts.fs ?? hostFs,
    state,
    signal: new AbortController().signal,
    dryRun: opts.dryRun ?? false,
    runId: opts.runId ?? 'test0001',
    journal: opts.journal ?? memoryJournal(opts.runId ?? 'test0001'),
    taskId: opts.taskId ?? 'test/task',
    logs,
    artifacts,
    log: (level, message) => logs.push(`${level}: ${message}`),
    progress: () => {},
    addArtifact: (a) => artifacts.push(a),
    cloudCalls,
    recordCloudCall: (c) => cloudCalls.push(c),
    cloud: (kind) => cache.get(kind, ctx),
    closeClients: () => cache.closeAll(),
  };
  return ctx;
}

/** A cloud journal that keeps its lines in memory (`lines`), for asserting what a task journaled. */
export function memoryJournal(runId = 'test0001'): CloudJournal & { readonly lines: string[] } {
  const lines: string[] = [];
  return {
    runId,
    lines,
    intend: async (r) => void lines.push(`intend ${r.plugin}/${r.kind} ${r.key}`),
    created: async (key, id) => void lines.push(`created ${key} ${id}`),
    released: async (key) => void lines.push(`released ${key}`),
  };
}

/** A temp dir removed by the returned cleanup. */
export async function tempDir(
  prefix = 'bootstrap-test-',
): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

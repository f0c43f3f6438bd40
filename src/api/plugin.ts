/**
 * A plugin is a plain object: its name, the JSON schema of its settings, extra semantic checks, the
 * catalogue of tasks it owns, and a function that adds or removes tasks for a given manifest.
 * Providers are plugins of kind 'provider': their schema covers the manifest's `provider` section and
 * they contribute the volume and the publishing step.
 */
import type { Backing } from './backing.js';
import type { CloudCleaner } from './cloud-journal.js';
import type { Manifest } from './manifest.js';
import type { BuildState } from './state.js';
import type { Task } from './task.js';

/** A JSON schema (draft 2019-09 subset that ajv understands). */
export type JsonSchema = Readonly<Record<string, unknown>>;

export interface TaskSet {
  add(...tasks: readonly Task[]): void;
  /** Removes tasks by id (e.g. cloud_init removes the provider's init-script tasks). */
  remove(...ids: readonly string[]): void;
  has(id: string): boolean;
}

export interface CheckReporter {
  /** Reports a manifest error at a JSON pointer (e.g. `/volume/partitions/type`). */
  error(pointer: string, message: string, hint?: string): void;
  warn(pointer: string, message: string, hint?: string): void;
}

/**
 * What a plugin's preflight sees: the manifest, and the build state as the preparation phase leaves it
 * (its tasks run as a dry run: the volume layout, the packages tasks add), so a check can reason
 * about what the build will do without doing any of it.
 */
export interface PreflightContext {
  readonly manifest: Manifest;
  readonly state: BuildState;
  readonly report: CheckReporter;
  readonly signal: AbortSignal;
}

export interface Plugin {
  readonly name: string;
  readonly kind: 'provider' | 'plugin';
  /** One line, for `bootstrap plugins` and the README. */
  readonly description: string;
  /**
   * Schema of the plugin's settings (`plugins.<name>`), or for a provider of the `provider` section.
   */
  readonly schema: JsonSchema;
  /** Providers: a schema over the whole manifest applied when this provider is selected. */
  readonly manifestSchema?: JsonSchema;
  /**
   * Providers: the `volume.backing` values they offer, the enum of `manifestSchema`'s
   * `/properties/volume/properties/backing` (test/unit/api/backing.test.ts checks both agree).
   */
  readonly backings?: readonly Backing[];
  /** Every task this plugin can contribute; ids must start with `<name>/`. */
  readonly tasks: readonly Task[];
  /**
   * Deleters of the cloud resource kinds this plugin journals, in deletion order, for
   * `bootstrap cleanup` (see cloud-journal.ts).
   */
  readonly cleaners?: readonly CloudCleaner[];
  /** Plugins that cannot be enabled together with this one. */
  readonly conflicts?: readonly string[];
  /** Semantic checks beyond the schema, run before any work starts. */
  check?(manifest: Manifest, report: CheckReporter): void;
  /**
   * Checks that read something outside the manifest (the Debian archive...), run by `validate`,
   * `plan` and `build` before any work starts, unless `--offline`. Errors are manifest errors (exit 2);
   * a source that cannot be reached is a warning, not an error.
   */
  preflight?(ctx: PreflightContext): Promise<void>;
  /** Adds this plugin's tasks for the manifest, and removes tasks of others it replaces. */
  resolveTasks(manifest: Manifest, tasks: TaskSet): void;
}

/** Identity helpers that give plugin and task literals their types without ceremony. */
export function definePlugin(plugin: Plugin): Plugin {
  return plugin;
}

export function defineTask(task: Task): Task {
  return task;
}

/**
 * Entry point: manifest file in, validated Manifest (or every problem, positioned) out.
 *
 *   read + parse (load-document) -> extends (resolve-extends) -> --set (set-overrides)
 *   -> JSON schema (schema-validator, schema-errors) -> core rules (semantic-checks)
 *   -> template variables (variable-checks) -> values handed to other programs or written into the
 *   image, host files the manifest names (value-checks) -> provider and plugin checks (plugin-checks)
 *
 * Each stage reports all of its problems at once; a stage runs only when the ones before it left
 * data it can trust. Nothing here throws for a bad manifest.
 */
import { resolve } from 'node:path';
import type { Manifest, ManifestData } from '../api/manifest.js';
import type { CheckReporter } from '../api/plugin.js';
import type { ManifestIssue } from './issue.js';
import { IssueCollector } from './issue-collector.js';
import { createManifest } from './manifest-object.js';
import { runPluginChecks } from './plugin-checks.js';
import { pluginsOf, providersOf, type PluginRegistry } from './registry-types.js';
import { loadWithExtends } from './resolve-extends.js';
import { schemaIssues } from './schema-errors.js';
import { runValidation } from './schema-validator.js';
import { checkCore, checkRelease } from './semantic-checks.js';
import { applySets, SET_FILE } from './set-overrides.js';
import { checkValues } from './value-checks.js';
import { checkVariables } from './variable-checks.js';
import { manifestVariables } from './variables.js';

export { formatIssue, type FormatOptions } from './format-issue.js';
export type { ManifestIssue } from './issue.js';
export type { PluginRegistry } from './registry-types.js';

export interface LoadOptions {
  readonly registry: PluginRegistry;
  /** `--set path=value` overrides, applied in order after `extends`. */
  readonly set?: readonly string[];
  /** The build's time: fixes the strftime variables and what `stable`/`testing` mean. */
  readonly now?: Date;
  /**
   * Checks beyond the manifest (src/core/preflight.ts), run when everything else passed; what they
   * report is positioned like the other issues.
   */
  readonly preflight?: (manifest: Manifest, report: CheckReporter) => Promise<void>;
  /**
   * Files the manifest names on this host (file_copy sources, keys, playbooks) that are missing:
   * a warning (default; validate, plan, dry run) or an error (a real build).
   */
  readonly hostFiles?: 'error' | 'warn';
}

export interface LoadResult {
  /** Present only when there are no errors. */
  readonly manifest?: Manifest;
  readonly errors: ManifestIssue[];
  readonly warnings: ManifestIssue[];
  /** Absolute paths of every file read (the manifest first, then what it extends). */
  readonly sources: string[];
}

export async function loadManifest(file: string, opts: LoadOptions): Promise<LoadResult> {
  const path = resolve(file);
  const now = opts.now ?? new Date();
  const loaded = await loadWithExtends(path);
  const sources = loaded.sources;
  const done = (
    errors: ManifestIssue[],
    warnings: ManifestIssue[] = [],
    manifest?: Manifest,
  ): LoadResult => ({
    ...(manifest && errors.length === 0 ? { manifest } : {}),
    errors: sortIssues(errors, sources),
    warnings: sortIssues(warnings, sources),
    sources,
  });
  if (!loaded.located) return done(loaded.issues);

  let located = loaded.located;
  if (opts.set && opts.set.length > 0) {
    const applied = applySets(located, opts.set);
    if (applied.issues.length > 0) return done(applied.issues);
    located = applied.located;
  }
  const { data, map } = located;

  const schemaErrors = runValidation(opts.registry, data);
  if (schemaErrors.length > 0) {
    return done(
      schemaIssues(schemaErrors, {
        data,
        map,
        fallbackFile: path,
        providerNames: providersOf(opts.registry).map((p) => p.name),
        pluginNames: pluginsOf(opts.registry).map((p) => p.name),
      }),
    );
  }

  // From here on the data has the schema's shape.
  const valid = data as unknown as ManifestData;
  const issues = new IssueCollector(map, path);
  const release = checkRelease(valid, now, issues);
  checkCore(valid, issues);
  checkVariables(data, manifestVariables(data, now), issues);
  if (!release) return done(issues.errors, issues.warnings);

  // The plugins' code, only now and only the plugins this manifest uses (issue 17, item 6).
  await opts.registry.load?.([valid.provider.name, ...Object.keys(valid.plugins ?? {})]);
  const manifest = createManifest(path, valid, release, now);
  checkValues(manifest, issues, opts.hostFiles ?? 'warn');
  runPluginChecks(manifest, opts.registry, issues);
  if (opts.preflight && issues.errors.length === 0) await opts.preflight(manifest, issues);
  return done(issues.errors, issues.warnings, manifest);
}

/** By file (in the order they were read, --set last), then line and column. */
function sortIssues(issues: readonly ManifestIssue[], sources: readonly string[]): ManifestIssue[] {
  const rank = (f: string) =>
    f === SET_FILE ? sources.length : sources.indexOf(f) === -1 ? sources.length + 1 : sources.indexOf(f);
  return [...issues].sort((a, b) => rank(a.file) - rank(b.file) || a.line - b.line || a.col - b.col);
}

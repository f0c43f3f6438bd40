/**
 * Turns the bootstrapper's status lines into progress steps. Both tools print one `I: ...` line per
 * stage on stderr; the stage tables below map them to a step number out of a fixed total, which is
 * what the progress display needs (a percentage of packages would need the package count up front).
 */
import type { BootstrapTool } from './bootstrap-plan.js';

export interface ProgressStep {
  readonly done: number;
  readonly total: number;
  readonly message: string;
}

const MMDEBSTRAP_STAGES: readonly [RegExp, string][] = [
  [/^I: running apt-get update/, 'updating package lists'],
  [/^I: downloading packages/, 'downloading packages'],
  [/^I: extracting archives/, 'extracting essential packages'],
  [/^I: installing essential packages/, 'installing essential packages'],
  [/^I: installing remaining packages/, 'installing remaining packages'],
  [/^I: cleaning package lists/, 'cleaning up'],
  [/^I: success/, 'done'],
];

const DEBOOTSTRAP_STAGES: readonly [RegExp, string][] = [
  [/^I: Retrieving (InRelease|Release)/, 'retrieving release file'],
  [/^I: (Retrieving Packages|Validating Packages|Resolving dependencies)/, 'resolving dependencies'],
  [/^I: Retrieving (?!InRelease|Release|Packages)/, 'downloading packages'],
  [/^I: Extracting /, 'extracting packages'],
  [/^I: Installing (core|required) packages/, 'installing required packages'],
  [/^I: Unpacking the base system/, 'unpacking the base system'],
  [/^I: Configuring the base system/, 'configuring the base system'],
  [/^I: Base system installed successfully/, 'done'],
];

export function parseProgressLine(tool: BootstrapTool, line: string): ProgressStep | undefined {
  const stages = tool === 'mmdebstrap' ? MMDEBSTRAP_STAGES : DEBOOTSTRAP_STAGES;
  const index = stages.findIndex(([re]) => re.test(line.trim()));
  const stage = stages[index];
  if (!stage) return undefined;
  return { done: index + 1, total: stages.length, message: stage[1] };
}

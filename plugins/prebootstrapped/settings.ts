/** The `plugins.prebootstrapped` settings, and the file names the plugin reads and writes. */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Manifest, TaskContext } from '../../src/api/index.js';

export interface PrebootstrappedSettings {
  readonly tarball?: string;
  readonly image?: string;
  readonly snapshot?: string;
  readonly folder?: string;
}

export function prebootstrappedSettings(manifest: Manifest): PrebootstrappedSettings {
  return manifest.pluginSettings<PrebootstrappedSettings>('prebootstrapped') ?? {};
}

/** The tarball to restore, absolute (relative paths are relative to the manifest's directory). */
export function inputTarball(manifest: Manifest): string | undefined {
  const t = prebootstrappedSettings(manifest).tarball;
  if (t === undefined) return undefined;
  return isAbsolute(t) ? t : resolve(dirname(manifest.file), t);
}

/**
 * Where a build saves its tree: next to the image (the workspace's parent, where base/export-image
 * writes `<name>.<format>`), as `<name>.prebootstrapped.tar`.
 */
export function outputTarball(ctx: Pick<TaskContext, 'manifest' | 'workspace'>): string {
  const name = ctx.manifest.expand(ctx.manifest.data.name).replace(/[^\w.+@-]+/g, '_');
  return join(dirname(ctx.workspace), `${name}.prebootstrapped.tar`);
}

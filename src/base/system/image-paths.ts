/**
 * Small helpers shared by the tasks that edit files inside the image: where the image root is on the
 * host, and how an absolute path inside the image maps to a host path.
 */
import { join } from 'node:path';
import { BuildError, VOLUME, type TaskContext, type VolumeInfo } from '../../api/index.js';

// The image root comes from the public API; re-exported so the base tasks take both helpers from here.
export { imageRoot } from '../../api/index.js';

/** Host path of an absolute path inside the image. Refuses relative paths and `..` segments. */
export function inImage(root: string, imagePath: string): string {
  if (!imagePath.startsWith('/') || imagePath.split('/').includes('..')) {
    throw new Error(`not an absolute image path: ${imagePath}`);
  }
  return join(root, imagePath);
}

export function requireVolume(ctx: TaskContext): VolumeInfo {
  const volume = ctx.state.get(VOLUME);
  if (volume === undefined) throw new Error(`${ctx.taskId}: the volume is not known yet (VOLUME unset)`);
  return volume;
}

/** Throws a BuildError when a value taken from the manifest does not match the pattern it must. */
export function checkValue(what: string, value: string, pattern: RegExp, hint?: string): string {
  if (!pattern.test(value)) throw new BuildError(`invalid ${what} "${value}"`, hint);
  return value;
}

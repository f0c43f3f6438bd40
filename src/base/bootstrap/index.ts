/** The OS-installation tasks of the base plugin: mirror check, bootstrap (with its cache). */
import type { Manifest, Task } from '../../api/index.js';
import { bootstrapOs } from './bootstrap-os.js';
import { checkMirror } from './check-mirror.js';

export { bootstrapOs, bootstrapTool } from './bootstrap-os.js';
export { checkMirror, probeMirror, releaseUrl } from './check-mirror.js';
export {
  bootstrapCacheKey,
  bootstrapCacheInputs,
  canonicalJson,
  type BootstrapHostInfo,
} from './cache-key.js';
export { resolveBootstrapPlan, type BootstrapPlan, type BootstrapTool } from './bootstrap-plan.js';
export { mmdebstrapArgv, debootstrapArgv, bootstrapArgv } from './bootstrap-argv.js';
export { DEFAULT_CACHE_DIR, DEFAULT_MIRROR, cacheDir, debCacheDir, bootstrapCacheDir } from './constants.js';

export const bootstrapTasks: readonly Task[] = [checkMirror, bootstrapOs];

/** The bootstrap tasks this manifest needs; the host commands follow the chosen tool. */
export function selectBootstrapTasks(manifest: Manifest): Task[] {
  const tool = manifest.data.bootstrapper.tool ?? 'mmdebstrap';
  return [checkMirror, { ...bootstrapOs, hostCommands: [tool, 'tar'] }];
}

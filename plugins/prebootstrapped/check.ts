/**
 * Semantic checks of `plugins.prebootstrapped`: bootstrap-vz's image, snapshot and folder restores are
 * not implemented (a tarball is), and are reported where they are set rather than ignored.
 */
import type { CheckReporter, Manifest } from '../../src/api/index.js';
import { prebootstrappedSettings } from './settings.js';

const UNSUPPORTED = ['image', 'snapshot', 'folder'] as const;

export function checkPrebootstrapped(manifest: Manifest, report: CheckReporter): void {
  const s = prebootstrappedSettings(manifest);
  for (const key of UNSUPPORTED) {
    if (s[key] === undefined) continue;
    report.error(
      `/plugins/prebootstrapped/${key}`,
      `restoring a saved ${key} is not supported; this plugin restores a tarball`,
      'build once with `prebootstrapped: {}` (it saves <name>.prebootstrapped.tar next to the image), then set `tarball:` to that file',
    );
  }
}

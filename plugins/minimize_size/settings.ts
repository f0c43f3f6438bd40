/** The `plugins.minimize_size` settings as tasks read them, and what they imply. */
import type { TaskContext } from '../../src/api/index.js';

export interface MinimizeSizeSettings {
  readonly zerofree?: boolean;
  readonly shrink?: boolean | 'vmware-vdiskmanager' | 'qemu-img' | 'qemu-img-no-compression';
  readonly apt?: {
    readonly autoclean?: boolean;
    readonly languages?: readonly string[];
    readonly gzip_indexes?: boolean;
    readonly autoremove_suggests?: boolean;
  };
  readonly dpkg?: {
    readonly locales?: readonly string[];
    readonly exclude_docs?: boolean;
  };
}

export function minimizeSettings(ctx: Pick<TaskContext, 'manifest'>): MinimizeSizeSettings {
  return ctx.manifest.pluginSettings<MinimizeSizeSettings>('minimize_size') ?? {};
}

/**
 * The shrinking tool the manifest asks for. bootstrap-vz's `shrink: true` meant vmware-vdiskmanager
 * (before it learnt qemu-img); `qemu-img-no-compression` is its later spelling of qemu-img without
 * qcow2 compression.
 */
export function shrinkTool(s: MinimizeSizeSettings): 'vmware-vdiskmanager' | 'qemu-img' | undefined {
  if (s.shrink === undefined || s.shrink === false) return undefined;
  if (s.shrink === true || s.shrink === 'vmware-vdiskmanager') return 'vmware-vdiskmanager';
  return 'qemu-img';
}

/** True when any dpkg path filter is configured. */
export function hasDpkgFilters(s: MinimizeSizeSettings): boolean {
  return s.dpkg?.locales !== undefined || s.dpkg?.exclude_docs === true;
}

/** True when an apt drop-in other than autoclean is configured. */
export function hasAptSettings(s: MinimizeSizeSettings): boolean {
  const apt = s.apt ?? {};
  return apt.languages !== undefined || apt.gzip_indexes === true || apt.autoremove_suggests === true;
}

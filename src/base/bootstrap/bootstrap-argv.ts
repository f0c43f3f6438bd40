/**
 * Command lines for mmdebstrap and debootstrap. Pure functions of the plan, so unit tests pin the
 * exact argv.
 */
import { positionalArg } from '../../api/index.js';
import type { BootstrapPlan } from './bootstrap-plan.js';

export interface MmdebstrapOptions {
  /**
   * Keep downloaded .deb files in /var/cache/apt/archives (the build's own archive, mounted from the
   * host, so the task can put them into the persistent cache) instead of letting mmdebstrap delete them.
   */
  readonly keepDebs: boolean;
}

/**
 * mmdebstrap in root mode writing into the mounted image root. The root is never empty (lost+found,
 * the mounted apt archive), hence `--skip=check/empty`.
 */
export function mmdebstrapArgv(plan: BootstrapPlan, root: string, opts: MmdebstrapOptions): string[] {
  const selection = mmdebstrapSelection(plan);
  const argv = [
    'mmdebstrap',
    '--mode=root',
    '--format=directory',
    `--variant=${selection.variant}`,
    `--architectures=${plan.architecture}`,
  ];
  if (plan.checkGpg !== 'no') argv.push(`--components=${plan.components.join(',')}`);
  if (selection.include.length > 0) argv.push(`--include=${selection.include.join(',')}`);
  if (selection.pattern !== undefined) argv.push(`--include=${selection.pattern}`);
  if (plan.keyring !== undefined) argv.push(`--keyring=${plan.keyring}`);
  argv.push('--skip=check/empty');
  // Keep the package lists mmdebstrap just downloaded: base/apt-update then only revalidates them
  // (7 s to 1 s here), and the hygiene step removes them from the image at the end.
  argv.push('--skip=cleanup/apt/lists');
  if (opts.keepDebs) argv.push('--skip=essential/unlink', '--skip=cleanup/apt/cache');
  // `--` ends the options (Getopt::Long): suite, target and mirrors are never read as options.
  argv.push('--', plan.suite, root);
  // no-check-gpg: a full sources line with [trusted=yes] affects only this bootstrap. The aptopt
  // alternative (AllowInsecureRepositories) would be written into the image's apt.conf.d for good.
  // The apt task rewrites sources.list afterwards, so the option does not stay in the image.
  argv.push(
    plan.checkGpg === 'no'
      ? `deb [trusted=yes] ${plan.mirror} ${plan.suite} ${plan.components.join(' ')}`
      : plan.mirror,
    ...plan.updateSources,
  );
  return argv;
}

/** Priorities each priority-based mmdebstrap variant installs (besides Essential:yes). */
const VARIANT_PRIORITIES: Readonly<Record<string, readonly string[]>> = {
  minbase: ['required'],
  required: ['required'],
  buildd: ['required'],
  debootstrap: ['required', 'important'],
  important: ['required', 'important'],
  '-': ['required', 'important'],
  standard: ['required', 'important', 'standard'],
};

interface MmdebstrapSelection {
  readonly variant: string;
  readonly include: readonly string[];
  /** An apt pattern passed as its own --include (mmdebstrap does not split arguments starting with `?`). */
  readonly pattern?: string;
}

/**
 * mmdebstrap has no --exclude, and apt's `pkg-` suffix does not work either: the package is also
 * matched by mmdebstrap's priority pattern and apt refuses the conflicting request. So with
 * exclusions, the package set is spelled out: the `apt` variant (Essential:yes plus apt) and the
 * same priority pattern mmdebstrap would use, minus the excluded names. Variants that install only
 * what is listed (essential, apt, custom, extract) just drop excluded names from the list. As with
 * debootstrap, Essential:yes packages cannot be excluded.
 */
export function mmdebstrapSelection(plan: BootstrapPlan): MmdebstrapSelection {
  const variant = plan.variant ?? 'debootstrap';
  const excluded = new Set(plan.exclude);
  const include = plan.include.filter((p) => !excluded.has(p));
  const priorities = VARIANT_PRIORITIES[variant];
  if (excluded.size === 0 || priorities === undefined) return { variant, include };
  const not = plan.exclude.map((p) => `?not(?exact-name(${p}))`).join(',');
  const pattern =
    `?narrow(?or(?archive(^${plan.suite}$),?codename(^${plan.suite}$)),?architecture(${plan.architecture}),` +
    `?and(?or(${priorities.map((p) => `?priority(${p})`).join(',')}),?not(?essential),${not}))`;
  const extra = variant === 'buildd' && !excluded.has('build-essential') ? ['build-essential'] : [];
  return { variant: 'apt', include: [...new Set([...include, ...extra])].sort(), pattern };
}

/** debootstrap, with `--cache-dir` pointing at the persistent .deb archive when caching. */
export function debootstrapArgv(plan: BootstrapPlan, root: string, debCacheDir?: string): string[] {
  const argv = ['debootstrap'];
  if (plan.variant !== undefined) argv.push(`--variant=${plan.variant}`);
  argv.push(`--arch=${plan.architecture}`, `--components=${plan.components.join(',')}`);
  if (plan.include.length > 0) argv.push(`--include=${plan.include.join(',')}`);
  if (plan.exclude.length > 0) argv.push(`--exclude=${plan.exclude.join(',')}`);
  if (plan.keyring !== undefined) argv.push(`--keyring=${plan.keyring}`);
  if (plan.checkGpg === 'no') argv.push('--no-check-gpg');
  if (plan.checkGpg === 'force') argv.push('--force-check-gpg');
  if (debCacheDir !== undefined) argv.push(`--cache-dir=${debCacheDir}`);
  // debootstrap's parser has no `--`: a positional starting with `-` is refused instead.
  argv.push(
    positionalArg(plan.suite, 'the suite'),
    positionalArg(root, 'the target directory'),
    positionalArg(plan.mirror, 'the mirror'),
  );
  return argv;
}

export function bootstrapArgv(
  plan: BootstrapPlan,
  root: string,
  debCache: { readonly dir: string } | undefined,
): string[] {
  return plan.tool === 'debootstrap'
    ? debootstrapArgv(plan, root, debCache?.dir)
    : mmdebstrapArgv(plan, root, { keepDebs: debCache !== undefined });
}

/**
 * Command lines for mmdebstrap and debootstrap. Pure functions of the plan, so unit tests pin the
 * exact argv.
 */
import type { BootstrapPlan } from './bootstrap-plan.js';

export interface MmdebstrapOptions {
  /**
   * Keep downloaded .deb files in the tree's /var/cache/apt/archives (so the task can move them to
   * the persistent cache) instead of letting mmdebstrap delete them.
   */
  readonly keepDebs: boolean;
}

/**
 * mmdebstrap in root mode writing into the mounted image root. The root is never empty (lost+found,
 * the pre-seeded apt archive), hence `--skip=check/empty`. mmdebstrap has no --exclude: apt's
 * `pkg-` suffix in --include keeps a package out of the apt install step, which is the closest
 * equivalent (Essential:yes packages cannot be excluded by either tool).
 */
export function mmdebstrapArgv(plan: BootstrapPlan, root: string, opts: MmdebstrapOptions): string[] {
  const argv = [
    'mmdebstrap',
    '--mode=root',
    '--format=directory',
    `--variant=${plan.variant ?? 'debootstrap'}`,
    `--architectures=${plan.architecture}`,
  ];
  if (plan.checkGpg !== 'no') argv.push(`--components=${plan.components.join(',')}`);
  const include = [...plan.include, ...plan.exclude.map((p) => `${p}-`)];
  if (include.length > 0) argv.push(`--include=${include.join(',')}`);
  if (plan.keyring !== undefined) argv.push(`--keyring=${plan.keyring}`);
  argv.push('--skip=check/empty');
  if (opts.keepDebs) argv.push('--skip=essential/unlink', '--skip=cleanup/apt/cache');
  argv.push(plan.suite, root);
  // no-check-gpg: a full sources line with [trusted=yes] affects only this bootstrap. The aptopt
  // alternative (AllowInsecureRepositories) would be written into the image's apt.conf.d for good.
  // The apt task rewrites sources.list afterwards, so the option does not stay in the image.
  argv.push(
    plan.checkGpg === 'no'
      ? `deb [trusted=yes] ${plan.mirror} ${plan.suite} ${plan.components.join(' ')}`
      : plan.mirror,
  );
  return argv;
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
  argv.push(plan.suite, root, plan.mirror);
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

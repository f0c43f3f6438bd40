/**
 * Which packages a bootstrap plus the image's package list installs, resolved from the archive's
 * index the way the bootstrappers do it: the variant's seed (Essential:yes, the priorities it
 * installs, apt), the named packages, and everything they Depend or Pre-Depend on, the first
 * alternative that exists winning (or a provider of a virtual package). Recommends are left out
 * even when the image installs them: the estimate is meant to refuse a root partition that certainly
 * cannot hold the system, never one that might.
 */
import type { PackagesIndex } from './packages-index.js';

export interface Selection {
  readonly tool: 'mmdebstrap' | 'debootstrap';
  /** bootstrapper.variant; undefined is each tool's default. */
  readonly variant: string | undefined;
  /** Named packages: bootstrapper.include, packages.install, what tasks added. */
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

export interface Selected {
  readonly names: ReadonlySet<string>;
  /** Named packages the index does not have (another component, a local .deb, a typo apt will report). */
  readonly unknown: readonly string[];
}

/** Priorities each variant installs; `essential`-only variants install none. */
function variantPriorities(tool: Selection['tool'], variant: string | undefined): readonly string[] {
  const v = variant ?? (tool === 'mmdebstrap' ? 'debootstrap' : '-');
  if (['minbase', 'required', 'buildd', 'fakechroot'].includes(v)) return ['required'];
  if (['debootstrap', 'important', '-'].includes(v)) return ['required', 'important'];
  if (v === 'standard') return ['required', 'important', 'standard'];
  return [];
}

function seed(index: PackagesIndex, sel: Selection): string[] {
  const v = sel.variant;
  if (sel.tool === 'mmdebstrap' && (v === 'extract' || v === 'custom')) return [];
  const priorities = variantPriorities(sel.tool, v);
  const names: string[] = [];
  for (const [name, p] of index.packages) {
    if (p.essential === true || (p.priority !== undefined && priorities.includes(p.priority)))
      names.push(name);
  }
  if (v !== 'essential') names.push('apt');
  if (v === 'buildd') names.push('build-essential');
  return names;
}

export function selectPackages(index: PackagesIndex, sel: Selection): Selected {
  const excluded = new Set(sel.exclude);
  const names = new Set<string>();
  const unknown: string[] = [];
  const queue: string[] = [];
  const add = (name: string): void => {
    if (names.has(name) || (excluded.has(name) && index.packages.get(name)?.essential !== true)) return;
    names.add(name);
    queue.push(name);
  };
  for (const name of seed(index, sel)) if (index.packages.has(name)) add(name);
  for (const name of sel.include) {
    if (index.packages.has(name)) add(name);
    else {
      const provider = index.providers.get(name)?.[0];
      if (provider !== undefined) add(provider);
      else unknown.push(name);
    }
  }
  while (queue.length > 0) {
    const pkg = index.packages.get(queue.shift() as string);
    for (const group of pkg?.depends ?? []) {
      if (group.some((alt) => names.has(alt) || index.providers.get(alt)?.some((p) => names.has(p))))
        continue;
      const real = group.find((alt) => index.packages.has(alt) && !excluded.has(alt));
      const provided = group.flatMap((alt) => index.providers.get(alt) ?? [])[0];
      const choice = real ?? provided;
      if (choice !== undefined) add(choice);
    }
  }
  return { names, unknown };
}

/** Sum of Installed-Size of the selection, in bytes. */
export function installedBytes(index: PackagesIndex, names: Iterable<string>): number {
  let kib = 0;
  for (const name of names) kib += index.packages.get(name)?.size ?? 0;
  return kib * 1024;
}

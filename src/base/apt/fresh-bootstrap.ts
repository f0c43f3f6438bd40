/**
 * After a fresh mmdebstrap run (not a cache restore) the image already has current package lists for
 * exactly the sources the image will use, and every requested package installed from the main,
 * -updates and security suites. Updating, upgrading and installing again would download and compare
 * the same things for nothing (about 2.5 s of a 45 s build), so those steps skip themselves then.
 */
import { stateKey, type Manifest, type TaskContext } from '../../api/index.js';
import { sourceLists } from './apt-sources.js';

export interface FreshBootstrap {
  /** The apt source lines the bootstrapper used, normalized. */
  readonly sources: readonly string[];
  /** Packages the bootstrapper was asked to include. */
  readonly included: ReadonlySet<string>;
}

/** Set by base/bootstrap-os when mmdebstrap ran in this build with the update suites. */
export const FRESH_BOOTSTRAP = stateKey<FreshBootstrap | undefined>('base/fresh-bootstrap', () => undefined);

/** `deb URL suite components` with one space between fields and no trailing slash on the URL. */
export function normalizeSourceLine(line: string): string {
  const fields = line.trim().split(/\s+/);
  if (fields[1]) fields[1] = fields[1].replace(/\/+$/, '');
  return fields.join(' ');
}

/** True when the image's apt sources are exactly those the bootstrap just fetched lists for. */
export function sourcesMatchBootstrap(manifest: Manifest, fresh: FreshBootstrap): boolean {
  const lists = sourceLists(manifest);
  if ([...lists.keys()].some((name) => name !== 'main')) return false;
  const image = new Set((lists.get('main') ?? []).map(normalizeSourceLine));
  const boot = new Set(fresh.sources.map(normalizeSourceLine));
  return image.size === boot.size && [...image].every((l) => boot.has(l));
}

/** The fresh bootstrap, when its lists can stand in for an update; undefined otherwise. */
export function usableFreshBootstrap(ctx: TaskContext): FreshBootstrap | undefined {
  const fresh = ctx.state.get(FRESH_BOOTSTRAP);
  if (!fresh || ctx.dryRun) return undefined;
  if (Object.keys(ctx.manifest.data.packages?.preferences ?? {}).length > 0) return undefined;
  if ((ctx.manifest.data.packages?.['trusted-keys'] ?? []).length > 0) return undefined;
  return sourcesMatchBootstrap(ctx.manifest, fresh) ? fresh : undefined;
}

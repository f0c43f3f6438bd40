/**
 * Node's compile cache (module.enableCompileCache, Node 22.1+): V8's code for each module the CLI
 * loads is kept on disk, so the next run reads it instead of compiling the sources again; about a
 * sixth of `bootstrap validate` (issue 17, item 6; scripts/bench-startup.mjs). Node checks each entry
 * against the module's source and its own version, and rewrites what does not match.
 *
 * The cache is code that runs, so it lives in the user's own cache directory,
 * `$XDG_CACHE_HOME/debian-image-bootstrap/node-compile-cache` (default `~/.cache/...`), and is used only
 * when the deepest of those directories that exists belongs to the user and no one else can write to
 * it: not Node's default, a directory in /tmp that any user could fill for a root build to run.
 * NODE_COMPILE_CACHE=DIR (Node's variable) puts it elsewhere, NODE_DISABLE_COMPILE_CACHE=1 turns it off.
 */
import { statSync } from 'node:fs';
import module from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** The directory the cache goes in, or undefined when no safe one is known. */
export function compileCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  const xdg = env['XDG_CACHE_HOME'];
  // A relative XDG_CACHE_HOME is to be ignored (the XDG base directory spec).
  const base = xdg?.startsWith('/') ? xdg : join(env['HOME'] || homedir(), '.cache');
  if (!base.startsWith('/')) return undefined;
  const dir = join(base, 'debian-image-bootstrap', 'node-compile-cache');
  for (let d = dir; ; d = dirname(d)) {
    try {
      const st = statSync(d);
      return st.isDirectory() && st.uid === uid && (st.mode & 0o022) === 0 ? dir : undefined;
    } catch {
      if (dirname(d) === d) return undefined;
    }
  }
}

/** Turns the cache on for the modules loaded from now on; never fails the CLI. */
export function enableCompileCache(env: NodeJS.ProcessEnv = process.env): void {
  // With NODE_COMPILE_CACHE set, Node has turned it on already.
  if (typeof module.enableCompileCache !== 'function') return;
  if (env['NODE_DISABLE_COMPILE_CACHE'] || env['NODE_COMPILE_CACHE']) return;
  try {
    const dir = compileCacheDir(env);
    if (dir) module.enableCompileCache(dir);
  } catch {
    // A cache that cannot be set up only makes the start slower.
  }
}

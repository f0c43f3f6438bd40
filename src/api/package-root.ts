/**
 * The package root (the directory holding package.json), found by walking up from this module, so
 * data files (data/, templates/, a plugin's certificates) load the same from the sources under tsx,
 * from dist/ once compiled and from /usr/lib/bootstrap in the Debian package. One copy for the core
 * and the plugins, which each walked up on their own before.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return (cached = dir);
    if (dirname(dir) === dir) throw new Error(`package.json not found above ${start}`);
  }
}

/** The version in package.json. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

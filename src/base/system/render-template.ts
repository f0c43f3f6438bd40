/**
 * Renders the nunjucks templates of files written into the image (templates/<area>/<file>.njk).
 * Templates are found relative to the package root, located by walking up from this module to the
 * nearest package.json, so the same code works from src/ (tsx) and from dist/src (compiled).
 * Autoescape is off (these are config files, not HTML) and undefined variables throw, so a typo in a
 * template fails the build instead of writing an empty value into the image.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';

let environment: nunjucks.Environment | undefined;

/** The directory holding package.json, found by walking up from `start`. */
export function findPackageRoot(start: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}

export function templatesDir(): string {
  return join(findPackageRoot(), 'templates');
}

function env(): nunjucks.Environment {
  environment ??= new nunjucks.Environment(new nunjucks.FileSystemLoader(templatesDir()), {
    autoescape: false,
    throwOnUndefined: true,
    // Block tags do not leave blank lines behind: the output is a config file, whitespace matters.
    trimBlocks: true,
    lstripBlocks: true,
  });
  return environment;
}

/** Renders `templates/<name>` (e.g. `system/hosts.njk`) with the given variables. */
export function renderTemplate(name: string, vars: object): string {
  return env().render(name, vars);
}

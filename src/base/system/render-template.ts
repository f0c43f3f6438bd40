/**
 * Renders the nunjucks templates of files written into the image (templates/<area>/<file>.njk).
 * Templates are found relative to the package root (src/api/package-root.ts), so the same code works
 * from src/ (tsx) and from dist/src (compiled).
 * Autoescape is off (these are config files, not HTML) and undefined variables throw, so a typo in a
 * template fails the build instead of writing an empty value into the image.
 */
import { join } from 'node:path';
import nunjucks from 'nunjucks';
import { packageRoot } from '../../api/package-root.js';

let environment: nunjucks.Environment | undefined;

export function templatesDir(): string {
  return join(packageRoot(), 'templates');
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

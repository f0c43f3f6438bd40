/**
 * Renders the nunjucks templates of files written into the image (templates/<area>/<file>.njk).
 * Templates are found relative to the package root (src/api/package-root.ts), so the same code works
 * from src/ (tsx) and from dist/src (compiled).
 * Autoescape is off (these are config files, not HTML) and undefined variables throw, so a typo in a
 * template fails the build instead of writing an empty value into the image.
 * nunjucks (24 modules) loads on the first render, not with the task modules: `bootstrap validate`
 * and `plan` load those but render nothing (issue 17, item 6).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type nunjucks from 'nunjucks';
import { packageRoot } from '../../api/package-root.js';

let environment: nunjucks.Environment | undefined;

export function templatesDir(): string {
  return join(packageRoot(), 'templates');
}

function env(): nunjucks.Environment {
  if (environment) return environment;
  // nunjucks is CommonJS: required synchronously, as renderTemplate is synchronous.
  const { Environment, FileSystemLoader } = createRequire(import.meta.url)('nunjucks') as typeof nunjucks;
  environment = new Environment(new FileSystemLoader(templatesDir()), {
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

/**
 * Renders the nunjucks templates of the EC2 guest files (plugins/ec2/guest/templates). They are found
 * from the package root (nearest package.json above this module), so the same code works from the
 * sources (tsx) and from dist/. Undefined variables throw: a typo fails the build, not the instance.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';

let environment: nunjucks.Environment | undefined;

function templatesDir(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'plugins', 'ec2', 'guest', 'templates');
    if (dirname(dir) === dir) throw new Error('no package.json above the ec2 guest templates');
  }
}

/** Renders `plugins/ec2/guest/templates/<name>` with `vars`. */
export function renderGuestTemplate(name: string, vars: object): string {
  environment ??= new nunjucks.Environment(new nunjucks.FileSystemLoader(templatesDir()), {
    autoescape: false,
    throwOnUndefined: true,
    trimBlocks: true,
    lstripBlocks: true,
  });
  return environment.render(name, vars);
}

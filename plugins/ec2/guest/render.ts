/**
 * Renders the nunjucks templates of the EC2 guest files (plugins/ec2/guest/templates). They are found
 * from the package root (nearest package.json above this module), so the same code works from the
 * sources (tsx) and from dist/. Undefined variables throw: a typo fails the build, not the instance.
 */
import { join } from 'node:path';
import nunjucks from 'nunjucks';
import { packageRoot } from '../../../src/api/index.js';

let environment: nunjucks.Environment | undefined;

function templatesDir(): string {
  return join(packageRoot(), 'plugins', 'ec2', 'guest', 'templates');
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

// The layer table of ARCHITECTURE.md as an eslint rule. Every relative import (static, re-export or
// dynamic `import()` with a literal) of a file under src/ or plugins/ is resolved to the file it
// names, so `../../../src/base/x.js` three folders down is caught like `../../src/base/x.js` is.
//
// A plugin may import src/api and, of another plugin, only its public module `plugins/<name>/public.ts`
// (the surface a family such as ec2 offers its siblings ec2_launch and ec2_publish). A src/ folder may
// import the folders its row of LAYERS names; anything else is an error that says which row forbids it.
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** src/<folder> -> the src/ folders it may import ('*' for all). Keep in step with ARCHITECTURE.md. */
export const LAYERS = {
  cli: '*',
  core: ['api', 'engine', 'graph', 'manifest', 'registry', 'runner'],
  // The runner's interfaces only (bound-runner.ts): the engine receives its runner, never builds one.
  engine: ['api', 'graph', 'runner/bound-runner'],
  graph: ['api'],
  manifest: ['api'],
  registry: ['api', 'base', 'boottest', 'manifest'],
  api: [],
  runner: ['api', 'log'],
  volume: ['api'],
  log: ['api'],
  host: ['api'],
  base: ['api', 'volume'],
  boottest: ['api'],
  render: ['api', 'log'],
  report: ['api', 'engine', 'graph', 'log'],
};

/** The top-level folder a repository path belongs to: { area: 'src' | 'plugins', name, rest }. */
function locate(absPath) {
  const parts = relative(REPO, absPath).split(sep);
  if (parts.length < 3 || (parts[0] !== 'src' && parts[0] !== 'plugins')) return undefined;
  return { area: parts[0], name: parts[1], rest: parts.slice(2).join('/') };
}

const isPublicModule = (rest) => /^public\.(ts|js)$/.test(rest);

/** Why `from` may not import `to`, or undefined when the table allows it. */
export function violation(from, to) {
  if (from.area === 'plugins') {
    if (to.area === 'src')
      return to.name === 'api' ? undefined : `plugins use src/api only, not src/${to.name}`;
    if (to.name === from.name || isPublicModule(to.rest)) return undefined;
    return `plugin ${from.name} may use plugin ${to.name} only through plugins/${to.name}/public.ts`;
  }
  if (to.area === 'plugins') {
    // The registry lists each plugin's entry points (index.ts and its siblings), nothing deeper.
    if (from.name === 'registry' && !to.rest.includes('/')) return undefined;
    // The CLI's tools of a plugin family (`bootstrap unbundle`) through the surface siblings use.
    if (from.name === 'cli' && isPublicModule(to.rest)) return undefined;
    return `src/${from.name} may not import plugins (only src/registry lists them${from.name === 'cli' ? '; the CLI may use a plugin public.ts' : ''})`;
  }
  if (to.name === from.name) return undefined;
  const allowed = LAYERS[from.name];
  if (allowed === undefined)
    return `src/${from.name} has no row in the layer table (eslint/import-layers.js)`;
  if (
    allowed === '*' ||
    allowed.includes(to.name) ||
    allowed.includes(`${to.name}/${to.rest.replace(/\.(js|ts)$/, '')}`)
  )
    return undefined;
  const may = allowed.length === 0 ? 'nothing else' : allowed.map((l) => `src/${l}`).join(', ');
  return `src/${from.name} may not import src/${to.name} (it may use ${may}; ARCHITECTURE.md, layers)`;
}

/** @type {import('eslint').Rule.RuleModule} */
export const importLayersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports follow the layer table of ARCHITECTURE.md' },
    schema: [],
    messages: { layer: '{{why}}' },
  },
  create(context) {
    const from = locate(resolve(context.filename));
    if (from === undefined) return {};
    const check = (source) => {
      if (source?.type !== 'Literal' || typeof source.value !== 'string') return;
      if (!source.value.startsWith('.')) return; // packages and node: builtins
      const to = locate(resolve(dirname(resolve(context.filename)), source.value));
      if (to === undefined) return;
      const why = violation(from, to);
      if (why !== undefined) context.report({ node: source, messageId: 'layer', data: { why } });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};

export default { rules: { 'import-layers': importLayersRule } };

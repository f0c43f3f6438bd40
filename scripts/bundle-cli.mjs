#!/usr/bin/env node
// After tsc and scripts/compile-schema.mjs (npm run build): bundles the CLI with esbuild into
// DIST/bundle/, the program that package.json's bin and the Debian package's /usr/bin/bootstrap run.
// Loading the compiled tree, `bootstrap validate` read about 200 of the project's modules plus yaml's
// 72 and commander's 8, one file each. The bundle is an entry (bootstrap.mjs: src/cli/bin.ts, which
// turns Node's compile cache on and imports main.ts) and chunks, split where the sources import lazily
// (src/cli/lazy-commands.ts, each plugin's code in src/registry/plugin-catalog.ts), so a command still
// loads only what it needs (issue 17, item 6; scripts/bench-startup.mjs).
// Bundled: the sources, commander and yaml. Left in node_modules (imported from there at run time):
// the AWS SDK and the other dependencies, which validate does not load; ajv, which only compiles a
// schema; and the compiled validator (manifest-validator.cjs, copied next to the chunks, where
// src/manifest/schema-validator.ts looks for it).
// Usage: node scripts/bundle-cli.mjs [DIST_DIR]   (default: dist; needs DIST_DIR/src/manifest/
//        manifest-validator.cjs from compile-schema.mjs, and esbuild, a devDependency)
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const BUNDLED = new Set(['commander', 'yaml']);
const PRECOMPILED_FILE = 'manifest-validator.cjs'; // src/manifest/schema-validator.ts

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = resolve(process.argv[2] ?? join(root, 'dist'));
const outdir = join(dist, 'bundle');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const external = Object.keys(pkg.dependencies)
  .filter((name) => !BUNDLED.has(name))
  .flatMap((name) => [name, `${name}/*`]);

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { bootstrap: 'src/cli/bin.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  outExtension: { '.js': '.mjs' },
  external,
  // commander and yaml are CommonJS and require node's modules; an ES module has no `require`.
  banner: {
    js: "import { createRequire as __bundleRequire } from 'node:module';\nconst require = __bundleRequire(import.meta.url);",
  },
  legalComments: 'eof',
  metafile: true,
  logLevel: 'warning',
});

// Every chunk is in outdir, so the compiled validator next to them is `./manifest-validator.cjs` of
// whichever chunk holds schema-validator.ts.
const holder = Object.entries(result.metafile.outputs).find(([, o]) =>
  Object.keys(o.inputs).includes('src/manifest/schema-validator.ts'),
);
if (!holder || resolve(root, dirname(holder[0])) !== outdir) {
  console.error(`bundle-cli: src/manifest/schema-validator.ts is not in a chunk of ${outdir}`);
  process.exit(1);
}
copyFileSync(join(dist, 'src/manifest', PRECOMPILED_FILE), join(outdir, PRECOMPILED_FILE));
// Only the entry is a program: a chunk keeps the #! of its source (main.ts), which lintian would flag
// in the Debian package as a script that is not executable.
for (const file of Object.keys(result.metafile.outputs).map((f) => resolve(root, f))) {
  const text = readFileSync(file, 'utf8');
  if (file !== join(outdir, 'bootstrap.mjs') && text.startsWith('#!')) {
    writeFileSync(file, text.slice(text.indexOf('\n') + 1));
  }
}
const chunks = Object.keys(result.metafile.outputs).length - 1;
console.log(`wrote ${join(outdir, 'bootstrap.mjs')} and ${chunks} chunks`);

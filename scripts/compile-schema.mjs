#!/usr/bin/env node
// After tsc (npm run build): writes dist/src/manifest/manifest-validator.cjs, the manifest schema of
// the shipped plugins compiled by ajv, so the CLI does not compile it on every run (about half a
// second; src/manifest/schema-validator.ts). Usage: node scripts/compile-schema.mjs [DIST_DIR]
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = resolve(process.argv[2] ?? 'dist');
const load = (path) => import(pathToFileURL(join(dist, path)).href);
const { builtinRegistry } = await load('src/registry/lazy-registry.js');
const { standaloneValidatorSource } = await load('src/manifest/standalone-validator.js');
const { PRECOMPILED_FILE } = await load('src/manifest/schema-validator.js');
const file = join(dist, 'src/manifest', PRECOMPILED_FILE);
writeFileSync(file, standaloneValidatorSource(builtinRegistry()));
console.log(`wrote ${file}`);

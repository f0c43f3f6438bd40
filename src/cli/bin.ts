#!/usr/bin/env node
/**
 * Where the bundled CLI starts (scripts/bundle-cli.mjs: dist/bundle/bootstrap.mjs, which package.json's
 * bin and the Debian package's /usr/bin/bootstrap run). It turns Node's compile cache on first
 * (src/cli/compile-cache.ts), so that main.ts, commander and every module a command loads come from
 * the cache, then runs the CLI as main.ts does when it is started itself (node dist/src/cli/main.js,
 * tsx src/cli/main.ts), through the same runAsProgram.
 */
import { enableCompileCache } from './compile-cache.js';

enableCompileCache();
const { runAsProgram } = await import('./main.js');
await runAsProgram();

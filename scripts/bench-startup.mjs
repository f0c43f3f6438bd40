#!/usr/bin/env node
// How long the CLI takes to start: `bootstrap --version` and `bootstrap validate MANIFEST --offline`,
// against `node -e 0` measured in the same rounds (the machine's load changes from minute to minute,
// so only ratios measured together compare). Each round runs every command once, in turn; the
// medians are printed. Issue 17, item 6: --version under 0.2 s and validate under 0.4 s where
// `node -e 0` takes 0.1 s, that is under 2x and 4x.
//
// usage: node scripts/bench-startup.mjs [--rounds N] [--manifest FILE] [--tsx] [--cold] [NAME=MAIN_JS ...]
//   NAME=MAIN_JS  a compiled CLI to measure (default: now=dist/bundle/bootstrap.mjs, the bundle that
//                 package.json's bin and the Debian package run; npm run build first); several compare
//                 builds, e.g. before=/tmp/old/dist/src/cli/main.js now=dist/bundle/bootstrap.mjs
// The CLI keeps Node's compile cache in ~/.cache (src/cli/compile-cache.ts), so the rounds after the
// first measure a warm cache, as every run but the first on a machine; --cold also measures each
// CLI without it (NODE_DISABLE_COMPILE_CACHE=1), as a first run, in the same rounds.
//   --tsx         also the uncompiled route, node --import tsx src/cli/main.ts (what tests spawn)
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';

const args = process.argv.slice(2);
let rounds = 7;
let manifest = 'manifests/debian-qemu.yml';
let tsx = false;
let cold = false;
const clis = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--rounds') rounds = Number(args[++i]);
  else if (a === '--manifest') manifest = args[++i];
  else if (a === '--tsx') tsx = true;
  else if (a === '--cold') cold = true;
  else if (/^[\w.-]+=/.test(a)) clis.push(a.split(/=(.*)/s).slice(0, 2));
  else {
    console.error(`unknown argument ${a}`);
    process.exit(2);
  }
}
if (clis.length === 0) clis.push(['now', 'dist/bundle/bootstrap.mjs']);

const node = process.execPath;
const NO_CACHE = { NODE_DISABLE_COMPILE_CACHE: '1' };
const commands = [['node -e 0', [node, '-e', '0'], {}]];
const routes = clis.map(([name, main]) => [name, [node, main], {}]);
if (cold) routes.push(...clis.map(([name, main]) => [`${name} (no cache)`, [node, main], NO_CACHE]));
if (tsx) routes.push(['tsx', [node, '--import', 'tsx', 'src/cli/main.ts'], {}]);
for (const [name, argv, env] of routes) {
  commands.push([`${name}: --version`, [...argv, '--version'], env]);
  commands.push([`${name}: validate --offline`, [...argv, 'validate', manifest, '--offline'], env]);
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const loadBefore = load();
const times = new Map(commands.map(([label]) => [label, []]));
for (let round = 0; round < rounds; round++) {
  for (const [label, [cmd, ...rest], env] of commands) {
    const start = process.hrtime.bigint();
    const r = spawnSync(cmd, rest, {
      encoding: 'utf8',
      env: { ...process.env, BOOTSTRAP_OFFLINE: '1', ...env },
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (r.status !== 0) {
      console.error(`${label} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
      process.exit(1);
    }
    times.get(label).push(seconds);
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const base = median(times.get('node -e 0'));
console.log(`median of ${rounds} rounds, ${manifest}; node ${process.version}`);
console.log(`load average (1, 5, 15 min): ${loadBefore} before, ${load()} after`);
for (const [label] of commands) {
  const m = median(times.get(label));
  const ratio = label === 'node -e 0' ? '' : `${(m / base).toFixed(1)}x node -e 0`;
  console.log(`${label.padEnd(42)} ${m.toFixed(3)} s  ${ratio}`);
}

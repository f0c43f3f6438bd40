#!/usr/bin/env node
// Runs the unit or integration tests with Node's built-in runner (TypeScript through tsx).
// Node 20's --test does not expand globs itself, so the files are found here, in a stable order.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';

const suite = process.argv[2] ?? 'unit';
const root = join('test', suite);
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.test.ts')) files.push(path);
  }
})(root);
if (files.length === 0) {
  console.error(`no test files under ${root}`);
  process.exit(1);
}
const extra = process.argv.slice(3);

if (suite === 'integration') {
  // Integration files share loop devices, mounts and the build cache: one at a time, each in its own
  // process. They share one cache of their own (BOOTSTRAP_CACHE_DIR), apart from the host's real
  // builds: a bootstrap takes minutes, and most tests build the same package sets. Tests whose point
  // is a cold start (ec2/ebs-build, bootstrap/bootstrap-cache) set an empty cache_dir of their own.
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=1', ...extra, ...files],
    {
      stdio: 'inherit',
      env: {
        ...process.env,
        BOOTSTRAP_CACHE_DIR: process.env.BOOTSTRAP_CACHE_DIR ?? '/var/cache/debian-image-bootstrap-tests',
      },
    },
  );
  process.exit(result.status ?? 1);
}

// Unit files: starting a Node process with the TypeScript loader for each of them cost most of the
// suite's time on these 2-core machines (issue 17, item 7). So the files are dealt into shards, each
// shard runs in one process (--experimental-test-isolation=none: its files share the process and the
// loader's start-up), and the shards run side by side, twice as many as cores, since a unit test
// spends much of its time waiting on a child process or a timer. TEST_CONCURRENCY sets the number of
// shards. Each shard's report is printed when it ends, then one summary of all of them.
// Unit tests never depend on the network: the preflight that reads the Debian archive is off (its own
// unit tests call it directly with a local archive).
const shardCount = Math.min(
  files.length,
  Number(process.env.TEST_CONCURRENCY ?? Math.max(2, 2 * availableParallelism())),
);
const shards = Array.from({ length: shardCount }, (_, i) => files.filter((_, n) => n % shardCount === i));
const COUNTERS = ['tests', 'suites', 'pass', 'fail', 'cancelled', 'skipped', 'todo'];
const totals = Object.fromEntries(COUNTERS.map((c) => [c, 0]));
const started = Date.now();

function runShard(shardFiles) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--test',
        '--experimental-test-isolation=none',
        '--test-reporter=tap',
        ...extra,
        ...shardFiles,
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, BOOTSTRAP_OFFLINE: '1', NODE_NO_WARNINGS: '1' },
      },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code, signal) => {
      process.stdout.write(out.endsWith('\n') ? out : out + '\n');
      for (const c of COUNTERS) {
        const m = new RegExp(`^# ${c} (\\d+)$`, 'm').exec(out);
        if (m) totals[c] += Number(m[1]);
      }
      // A shard that died without its summary (a crash, a signal) fails the run.
      const summarized = /^# fail \d+$/m.test(out);
      resolve(code === 0 && signal === null && summarized ? 0 : 1);
    });
  });
}

const codes = await Promise.all(shards.map(runShard));
const failed = codes.some((c) => c !== 0);
console.log(`# all ${shardCount} shards of ${files.length} unit test files`);
for (const c of COUNTERS) console.log(`# ${c} ${totals[c]}`);
console.log(`# duration_ms ${Date.now() - started}`);
if (failed && totals.fail === 0)
  console.log('# a shard failed without a failing test (see its output above)');
process.exit(failed ? 1 : 0);

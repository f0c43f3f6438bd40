#!/usr/bin/env node
// Runs the unit or integration tests with Node's built-in runner (TypeScript through tsx).
// Node 20's --test does not expand globs itself, so the files are found here, in a stable order.
import { spawnSync } from 'node:child_process';
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
// Integration files share loop devices, mounts and the build cache: one at a time. Unit files run
// side by side: Node's default (one file per core but one) is a single file at a time on these 2-core
// machines, and a unit file spends much of its life starting up or waiting on a child process, so
// twice as many files as cores keeps both cores busy. TEST_CONCURRENCY overrides it.
const concurrency =
  suite === 'integration'
    ? ['--test-concurrency=1']
    : [`--test-concurrency=${process.env.TEST_CONCURRENCY ?? Math.max(2, 2 * availableParallelism())}`];
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', ...concurrency, ...extra, ...files],
  {
    stdio: 'inherit',
    // Unit tests never depend on the network: the preflight that reads the Debian archive is off
    // (its own unit tests call it directly with a local archive).
    // Integration builds share one cache of their own (BOOTSTRAP_CACHE_DIR), apart from the host's
    // real builds: a bootstrap takes minutes, and most tests build the same package sets. Tests whose
    // point is a cold start (ec2/ebs-build, bootstrap/bootstrap-cache) set an empty cache_dir of their own.
    env:
      suite === 'unit'
        ? { ...process.env, BOOTSTRAP_OFFLINE: '1' }
        : {
            ...process.env,
            BOOTSTRAP_CACHE_DIR: process.env.BOOTSTRAP_CACHE_DIR ?? '/var/cache/debian-image-bootstrap-tests',
          },
  },
);
process.exit(result.status ?? 1);

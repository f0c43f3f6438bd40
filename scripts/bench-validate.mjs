#!/usr/bin/env node
// Large and hostile inputs to `bootstrap validate` (issue 16): a 1 GiB sparse file, /dev/zero, an
// `extends: /dev/zero`, and manifests of 4,000 and 40,000 keys (parsing must be linear: 40,000 keys
// in about ten times the time of 4,000, not a hundred). Prints wall time, peak memory (the child's
// max RSS, from wait4 through /usr/bin/time when installed, else from the child's own report) and the
// exit code of each. A measurement, not a test: run it by hand, `node scripts/bench-validate.mjs`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'bench-validate-'));
const base = join(process.cwd(), 'test/fixtures/bad-manifests/_base.yml');
const keys = (n) => {
  let text = `extends: ${base}\ntags:\n`;
  for (let i = 0; i < n; i++) text += `  key${i}: value${i}\n`;
  return text;
};
const cases = [];
const sparse = join(dir, 'sparse-1GiB.yml');
writeFileSync(sparse, '');
truncateSync(sparse, 1024 ** 3);
cases.push(['1 GiB sparse file', sparse]);
cases.push(['/dev/zero', '/dev/zero']);
const extendsZero = join(dir, 'extends-zero.yml');
writeFileSync(extendsZero, 'extends: /dev/zero\n');
cases.push(['extends: /dev/zero', extendsZero]);
for (const n of [4000, 40000]) {
  const file = join(dir, `keys-${n}.yml`);
  writeFileSync(file, keys(n));
  cases.push([`${n} keys`, file]);
}

const cli = existsSync('dist/src/cli/main.js')
  ? ['dist/src/cli/main.js']
  : ['--import', 'tsx', 'src/cli/main.ts'];
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
console.log(`${'input'.padEnd(22)} ${'seconds'.padStart(8)} ${'peak MiB'.padStart(9)}  exit`);
try {
  for (const [label, file] of cases) {
    const argv = [process.execPath, ...cli, 'validate', '--offline', file];
    const started = process.hrtime.bigint();
    const r = timeBin
      ? spawnSync(timeBin, ['-f', '%M', ...argv], { encoding: 'utf8', timeout: 600_000 })
      : spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 600_000 });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const kib = timeBin ? Number(/(\d+)\s*$/.exec(r.stderr.trim())?.[1] ?? NaN) : NaN;
    const lines = r.stderr.trim().split('\n');
    if (timeBin) lines.pop(); // /usr/bin/time's own line
    const first = lines.find((l) => l.trim() !== '') ?? '';
    console.log(
      `${label.padEnd(22)} ${seconds.toFixed(2).padStart(8)} ${(kib / 1024).toFixed(0).padStart(9)}  ${r.status}  ${first.slice(0, 90)}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * The dry run of the main manifests, as `bootstrap MANIFEST --dry-run --report FILE` records it: each
 * task in plan order with the host commands it would run and the cloud API calls it would make,
 * against a file kept in git (test/fixtures/dry-runs/), so a change in the commands, their order or
 * the AWS requests shows up in review (issue 17, item 4). Run ids, the workspace and build dates are
 * replaced by placeholders. After an intended change, rewrite the files and commit them:
 *   UPDATE_GOLDEN=1 node --import tsx --test test/unit/manifests/dry-run-golden.test.ts
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cloudCallText, type BuildReport } from '../../../src/report/build-report.js';
import { assertGolden } from '../../helpers/golden.js';
import { planFile } from '../../helpers/plan-manifest.js';
import { runCli } from '../../helpers/run-cli.js';

const GOLDEN = 'test/fixtures/dry-runs';
const MANIFESTS = [
  'manifests/debian-qemu.yml',
  'manifests/debian-hvm.yml',
  'manifests/debian-hvm-raw.yml',
  'manifests/examples/ec2_publish.yml',
  'manifests/examples/ec2_launch.yml',
];
const dir = mkdtempSync(join(tmpdir(), 'dry-run-golden-'));
const workspace = join(dir, 'ws');
const env = {
  BOOTSTRAP_OFFLINE: '1',
  BOOTSTRAP_STATE_DIR: join(dir, 'state'),
  AWS_REGION: 'eu-west-1',
  AWS_ENDPOINT_URL: undefined,
  BOOTSTRAP_AWS_TRACE: undefined,
};

/** The report as text: tasks in plan order, each with its commands and cloud calls. */
export function dryRunText(report: BuildReport): string {
  const out: string[] = [`name: ${report.name}`];
  for (const a of report.artifacts) out.push(`artifact ${a.kind}: ${a.path ?? a.id ?? ''}`);
  for (const task of report.tasks) {
    out.push(task.id);
    for (const c of report.commands ?? [])
      if (c.task === task.id) out.push(`  ${c.chroot !== undefined ? '[chroot] ' : '$ '}${c.argv.join(' ')}`);
    for (const c of report.cloudCalls ?? [])
      if (c.task === task.id)
        out.push(`  aws ${cloudCallText(c)}`);
  }
  const untagged = (report.commands ?? []).filter((c) => c.task === undefined).length;
  if (untagged) out.push(`(${untagged} commands outside any task)`);
  return out.join('\n') + '\n';
}

function normalize(text: string): string {
  const run = new RegExp(`${workspace}/([0-9a-f]{8})`).exec(text)?.[1];
  let t = text.replaceAll(workspace, '<workspace>');
  if (run) t = t.replaceAll(run, '<run>');
  return t
    .replace(/\b20\d{6}-\d{4}\b/g, '<yyyymmdd-hhmm>')
    .replace(/\b20\d{10}\b/g, '<yyyymmddhhmm>')
    .replace(/\b20\d{6}\b/g, '<yyyymmdd>')
    .replace(/\b20\d\d-\d\d-\d\d \d\d:\d\d UTC\b/g, '<date> UTC')
    .replace(/\b20\d\d-\d\d-\d\dT[\d:.]+Z\b/g, '<timestamp>');
}

describe('dry runs of the main manifests (test/fixtures/dry-runs)', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));
  for (const file of MANIFESTS) {
    it(file, async () => {
      const reportFile = join(dir, `${basename(file)}.json`);
      const r = await runCli(
        [file, '--dry-run', '--progress', 'plain', '--report', reportFile, '--set', `bootstrapper.workspace=${workspace}`],
        { env },
      );
      assert.equal(r.status, 0, r.stdout + r.stderr);
      const report = JSON.parse(readFileSync(reportFile, 'utf8')) as BuildReport;
      assert.ok((report.commands ?? []).length > 0, 'the report lists the commands');
      // What `bootstrap plan` lists (each task's cloudCalls) is what the dry run's code calls.
      const { plan } = await planFile(file);
      const declared = new Map(
        (plan?.tasks ?? []).map(({ task }) => [
          task.id,
          new Set((task.cloudCalls ?? []).map((c) => c.split(' ').slice(0, 2).join(' '))),
        ]),
      );
      for (const c of report.cloudCalls ?? []) {
        const call = `${c.service} ${c.operation}`;
        assert.ok(
          c.task && declared.get(c.task)?.has(call),
          `${c.task ?? '(no task)'} calls ${call}, which its cloudCalls do not declare`,
        );
      }
      const text = normalize(dryRunText(report));
      const golden = join(GOLDEN, basename(file).replace(/\.ya?ml$/, '.txt'));
      assertGolden(golden, text, `the dry run of ${file}`, 'test/unit/manifests/dry-run-golden.test.ts');
    });
  }
});

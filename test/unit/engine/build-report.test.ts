import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BuildError, CommandError, type Task } from '../../../src/api/index.js';
import type { BuildResult } from '../../../src/engine/build-result.js';
import type { Plan } from '../../../src/graph/resolve-plan.js';
import { registerSecret } from '../../../src/log/secrets.js';
import { buildReport, writeReport } from '../../../src/report/build-report.js';
import { tempDir } from '../../helpers/fake-context.js';

const t = (id: string): Task => ({ id, phase: 'preparation', description: id, run: async () => {} });
const plan: Plan = { tasks: [t('a/one'), t('a/two'), t('a/three')].map((task) => ({ task, plugin: 'a' })) };
const startedAt = new Date('2024-05-01T10:00:00.000Z');
const endedAt = new Date('2024-05-01T10:01:02.500Z');

describe('buildReport', () => {
  it('describes a failed build with its rollback, and masks secrets everywhere', () => {
    registerSecret('SECRETKEY123456');
    const result: BuildResult = {
      status: 'failed',
      error: new CommandError(
        ['aws', '--key', 'SECRETKEY123456'],
        255,
        'denied for SECRETKEY123456',
        'non-zero exit code',
      ),
      failedTask: 'a/two',
      tasks: [
        { id: 'a/one', phase: 'preparation', plugin: 'a', status: 'ok', seconds: 1.23456 },
        { id: 'a/two', phase: 'preparation', plugin: 'a', status: 'failed', seconds: 0.5 },
        { id: 'a/three', phase: 'preparation', plugin: 'a', status: 'not-run', seconds: 0 },
      ],
      artifacts: [{ kind: 'file', path: '/out/x', name: 'SECRETKEY123456' }],
      rollback: {
        ok: false,
        undone: ['a/two'],
        failed: [{ id: 'a/one', error: new Error('busy') }],
        leftUndone: [],
      },
      startedAt,
      endedAt,
    };
    const report = buildReport({ manifestFile: '/m.yml', name: 'img', result, plan });
    assert.deepEqual(report.tasks[0], {
      id: 'a/one',
      phase: 'preparation',
      plugin: 'a',
      status: 'ok',
      seconds: 1.235,
    });
    assert.equal(report.start, '2024-05-01T10:00:00.000Z');
    assert.equal(report.seconds, 62.5);
    assert.equal(report.status, 'failed');
    assert.deepEqual(report.rollback, {
      ok: false,
      undone: ['a/two'],
      failed: [{ id: 'a/one', error: 'busy' }],
      leftUndone: [],
    });
    assert.equal(report.error?.task, 'a/two');
    assert.equal(report.error?.exitCode, 255);
    assert.equal(report.error?.code, 'ERR_COMMAND_FAILED');
    const json = JSON.stringify(report);
    assert.ok(!json.includes('SECRETKEY123456'), json);
    assert.match(json, /\*\*\*/);
  });

  it('carries a BuildError hint and omits error and rollback on success', () => {
    const base = { tasks: [], artifacts: [], startedAt, endedAt };
    const failed = buildReport({
      manifestFile: '/m.yml',
      name: 'img',
      plan,
      result: { ...base, status: 'failed', error: new BuildError('no space', 'free some') },
    });
    assert.deepEqual(failed.error, {
      name: 'BuildError',
      message: 'no space',
      code: 'ERR_TASK_FAILED',
      bug: false,
      hint: 'free some',
    });
    const ok = buildReport({
      manifestFile: '/m.yml',
      name: 'img',
      plan,
      result: { ...base, status: 'success' },
    });
    assert.equal(ok.error, undefined);
    assert.equal(ok.rollback, null);
    assert.deepEqual(
      ok.tasks.map((x) => x.status),
      ['not-run', 'not-run', 'not-run'],
    );
  });

  it('writes the report atomically, leaving no temp file', async () => {
    const dir = await tempDir();
    try {
      const report = buildReport({
        manifestFile: '/m.yml',
        name: 'img',
        plan,
        result: { status: 'success', tasks: [], artifacts: [], startedAt, endedAt },
      });
      const path = join(dir.path, 'report.json');
      await writeReport(path, report);
      assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), JSON.parse(JSON.stringify(report)));
      assert.deepEqual(await readdir(dir.path), ['report.json']);
    } finally {
      await dir.cleanup();
    }
  });

  it('reports an unexpected exception as a bug, with its task and code', () => {
    const report = buildReport({
      manifestFile: '/m.yml',
      name: 'img',
      plan,
      result: {
        tasks: [],
        artifacts: [],
        startedAt,
        endedAt,
        status: 'failed',
        failedTask: 'a/two',
        error: new TypeError("Cannot read properties of undefined (reading 'x')"),
      },
    });
    assert.equal(report.error?.code, 'ERR_INTERNAL');
    assert.equal(report.error?.bug, true);
    assert.equal(report.error?.task, 'a/two');
  });
});

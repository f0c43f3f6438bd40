import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CloudCleaner } from '../../../src/api/index.js';
import { cleanupRuns } from '../../../src/engine/cloud-cleanup.js';
import { createFileJournal, readJournals } from '../../../src/engine/cloud-journal-file.js';
import { tempDir } from '../../helpers/fake-context.js';

/** Fake cloud: ids per kind, with the run tag; removals recorded in order. */
function fakeCloud(tagged: Record<string, Record<string, string[]>>) {
  const removed: string[] = [];
  const gone = new Set<string>();
  const cleaner = (kind: string): CloudCleaner => ({
    kind,
    findTagged: async (scope) => (tagged[scope.runId]?.[kind] ?? []).filter((id) => !gone.has(id)),
    remove: async (id) => {
      if (gone.has(id)) return 'absent';
      gone.add(id);
      removed.push(`${kind} ${id}`);
      return 'deleted';
    },
  });
  return {
    removed,
    cleaners: new Map([['ec2', [cleaner('image'), cleaner('snapshot'), cleaner('volume')]]]),
  };
}

test('cleanup deletes what a killed run left (journaled and tag-only), images before snapshots, and closes the run', async () => {
  const dir = await tempDir();
  try {
    const killed = createFileJournal('dead0001', dir.path);
    await killed.intend({ plugin: 'ec2', kind: 'snapshot', key: 's', region: 'r1', product: true });
    await killed.created('s', 'snap-1');
    // SIGKILL inside RegisterImage: the intent is there, the id is not; the tag finds it.
    await killed.intend({ plugin: 'ec2', kind: 'image', key: 'i', region: 'r1', product: true });
    const cloud = fakeCloud({ dead0001: { image: ['ami-9'], snapshot: ['snap-1'] } });
    const logs: string[] = [];

    const dry = await cleanupRuns({
      dir: dir.path,
      cleaners: cloud.cleaners,
      dryRun: true,
      log: (m) => logs.push(m),
    });
    assert.deepEqual(
      dry.actions.map((a) => `${a.outcome} ${a.kind} ${a.id}`),
      ['would delete image ami-9', 'would delete snapshot snap-1'],
    );
    assert.deepEqual(cloud.removed, []);

    const result = await cleanupRuns({ dir: dir.path, cleaners: cloud.cleaners, log: (m) => logs.push(m) });
    assert.ok(result.ok);
    assert.deepEqual(cloud.removed, ['image ami-9', 'snapshot snap-1']);
    const [run] = await readJournals(dir.path);
    assert.equal(run?.endStatus, 'cleaned');
    assert.deepEqual(
      run?.resources.map((r) => r.state),
      ['released', 'released'],
    );
    // A second cleanup has nothing to do.
    assert.deepEqual(
      (await cleanupRuns({ dir: dir.path, cleaners: cloud.cleaners, log: () => {} })).actions,
      [],
    );
  } finally {
    await dir.cleanup();
  }
});

test('a successful run keeps its products, even when they carry the run tag; a leaked non-product is deleted', async () => {
  const dir = await tempDir();
  try {
    const ok = createFileJournal('0k000001', dir.path);
    await ok.intend({ plugin: 'ec2', kind: 'snapshot', key: 's', region: 'r1', product: true });
    await ok.created('s', 'snap-1');
    await ok.intend({ plugin: 'ec2', kind: 'image', key: 'i', region: 'r1', product: true });
    await ok.created('i', 'ami-1');
    await ok.intend({ plugin: 'ec2', kind: 'volume', key: 'v', region: 'r1' });
    await ok.created('v', 'vol-1');
    await ok.finish('success');
    const cloud = fakeCloud({ '0k000001': { image: ['ami-1'], snapshot: ['snap-1'], volume: ['vol-1'] } });
    const result = await cleanupRuns({ dir: dir.path, cleaners: cloud.cleaners, log: () => {} });
    assert.deepEqual(cloud.removed, ['volume vol-1']);
    assert.deepEqual(
      result.actions.map((a) => a.outcome),
      ['deleted'],
    );
  } finally {
    await dir.cleanup();
  }
});

test('a failing deletion leaves the run open for the next cleanup; --run limits to one run', async () => {
  const dir = await tempDir();
  try {
    for (const id of ['aaaa0001', 'bbbb0001']) {
      const j = createFileJournal(id, dir.path);
      await j.intend({ plugin: 'ec2', kind: 'snapshot', key: 's', region: 'r1' });
      await j.created('s', `snap-${id}`);
    }
    const failing: CloudCleaner = {
      kind: 'snapshot',
      remove: async () => {
        throw new Error('RequestExpired');
      },
    };
    const result = await cleanupRuns({
      dir: dir.path,
      runId: 'bbbb0001',
      cleaners: new Map([['ec2', [failing]]]),
      log: () => {},
    });
    assert.equal(result.ok, false);
    assert.deepEqual(
      result.actions.map((a) => `${a.runId} ${a.outcome} ${a.error ?? ''}`),
      ['bbbb0001 failed RequestExpired'],
    );
    const runs = await readJournals(dir.path);
    assert.deepEqual(
      runs.map((r) => [r.runId, r.endStatus, r.resources[0]?.state]),
      [
        ['aaaa0001', undefined, 'created'],
        ['bbbb0001', undefined, 'created'],
      ],
    );
  } finally {
    await dir.cleanup();
  }
});

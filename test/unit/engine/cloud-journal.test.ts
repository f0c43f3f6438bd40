import assert from 'node:assert/strict';
import { appendFile, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { createFileJournal, readJournals } from '../../../src/engine/cloud-journal-file.js';
import { tempDir } from '../../helpers/fake-context.js';

test('journal lines replay to each resource state; products are kept on success only', async () => {
  const dir = await tempDir();
  try {
    const ok = createFileJournal('aaaa0001', dir.path);
    await ok.intend({ plugin: 'ec2', kind: 'snapshot', key: 's1', region: 'eu-west-1', product: true });
    await ok.created('s1', 'snap-1');
    await ok.intend({ plugin: 'ec2', kind: 'volume', key: 'v1', region: 'eu-west-1' });
    await ok.created('v1', 'vol-1');
    await ok.intend({ plugin: 'ec2', kind: 'image', key: 'i1', product: true });
    await ok.created('i1', 'ami-1');
    await ok.released('i1');
    await ok.finish('success');

    const failed = createFileJournal('aaaa0002', dir.path);
    await failed.intend({ plugin: 'ec2', kind: 'snapshot', key: 's2', product: true });
    await failed.created('s2', 'snap-2');
    await failed.intend({ plugin: 'ec2', kind: 'image', key: 'i2', product: true });
    await failed.finish('failed');

    const [a, b] = await readJournals(dir.path);
    assert.equal(a?.endStatus, 'success');
    assert.deepEqual(
      a?.resources.map((r) => [r.key, r.id, r.state]),
      [
        ['s1', 'snap-1', 'kept'],
        ['v1', 'vol-1', 'created'],
        ['i1', 'ami-1', 'released'],
      ],
    );
    assert.equal(b?.endStatus, 'failed');
    assert.deepEqual(
      b?.resources.map((r) => [r.key, r.id, r.state]),
      [
        ['s2', 'snap-2', 'created'],
        ['i2', undefined, 'intended'],
      ],
    );
    assert.deepEqual(
      (await readJournals(dir.path, 'aaaa0002')).map((r) => r.runId),
      ['aaaa0002'],
    );
  } finally {
    await dir.cleanup();
  }
});

test('a torn last line (power cut mid-write) is ignored, a run without an end line has no status', async () => {
  const dir = await tempDir();
  try {
    const j = createFileJournal('bbbb0001', dir.path);
    await j.intend({ plugin: 'ec2', kind: 'snapshot', key: 's1' });
    await j.created('s1', 'snap-1');
    await appendFile(join(dir.path, 'bbbb0001.jsonl'), '{"t":"released","k');
    const [run] = await readJournals(dir.path);
    assert.equal(run?.endStatus, undefined);
    assert.equal(run?.resources[0]?.state, 'created');
    const text = await readFile(join(dir.path, 'bbbb0001.jsonl'), 'utf8');
    assert.equal(text.split('\n').length, 3);
  } finally {
    await dir.cleanup();
  }
});

test('a journal that records nothing creates no file', async () => {
  const dir = await tempDir();
  try {
    await createFileJournal('cccc0001', join(dir.path, 'journal')).finish('success');
    assert.deepEqual(await readdir(dir.path), []);
    assert.deepEqual(await readJournals(join(dir.path, 'journal')), []);
  } finally {
    await dir.cleanup();
  }
});

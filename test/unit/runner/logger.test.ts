import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { describe, it } from 'node:test';
import { createFileLogger, createNullLogger, formatLogLine } from '../../../src/log/logger.js';
import { createLogSink } from '../../../src/log/log-sink.js';
import { createSecretMasker, maskDeep, registerSecret } from '../../../src/log/secrets.js';
import { tempDir } from '../../helpers/fake-context.js';

describe('file logger', () => {
  it('writes <YYYYmmddHHMMSS>_<name>.log with [+s.mmm] LEVEL: lines, secrets masked', async () => {
    const dir = await tempDir();
    try {
      let t = 1000;
      const log = createFileLogger(`${dir.path}/logs`, 'debian/bookworm amd64', {
        now: () => new Date(2024, 0, 31, 23, 59, 58),
        clock: () => t,
      });
      assert.equal(basename(log.file), '20240131235958_debian_bookworm_amd64.log');
      registerSecret('hunter2-password');
      t = 1500;
      log.info('starting');
      t = 13345;
      log.debug('two\nlines with hunter2-password');
      log.close();
      log.error('after close is dropped');
      assert.equal(
        await readFile(log.file, 'utf8'),
        '[+0.500s] INFO: starting\n[+12.345s] DEBUG: two\n[+12.345s] DEBUG: lines with ***\n',
      );
    } finally {
      await dir.cleanup();
    }
  });

  it('formats lines like bootstrap-vz', () => {
    assert.equal(formatLogLine(2100, 'warn', 'x'), '[+2.100s] WARN: x\n');
  });

  it('has a null logger that accepts everything', () => {
    const log = createNullLogger();
    log.debug('a');
    log.error('b');
    assert.equal(log.file, undefined);
  });

  it('writes events through the log sink', () => {
    const lines: string[] = [];
    const log = {
      ...createNullLogger(),
      info: (m: string) => lines.push(`I ${m}`),
      error: (m: string) => lines.push(`E ${m}`),
    };
    const sink = createLogSink(log);
    sink.emit({ type: 'task-start', id: 'a/b', phase: 'preparation', description: 'Do b' });
    sink.emit({ type: 'undo', id: 'a/b', status: 'failed', error: 'busy' });
    sink.emit({ type: 'progress', id: 'a/b', done: 1 });
    assert.deepEqual(lines, ['I Do b (a/b)', 'E undo of a/b failed: busy']);
  });
});

describe('secret masker', () => {
  it('masks every occurrence, longest secret first, and ignores tiny values', () => {
    const m = createSecretMasker();
    m.register('abcd');
    m.register('abcdefgh');
    m.register('x');
    assert.equal(m.mask('abcdefgh abcd x abcd'), '*** *** x ***');
  });

  it('masks strings deep inside objects', () => {
    registerSecret('deep-secret-value');
    assert.deepEqual(maskDeep({ a: ['deep-secret-value!'], b: { c: 1, d: 'ok' } }), {
      a: ['***!'],
      b: { c: 1, d: 'ok' },
    });
  });
});

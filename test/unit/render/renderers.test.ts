import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BuildEvent } from '../../../src/api/index.js';
import { registerSecret } from '../../../src/log/secrets.js';
import {
  createJsonLinesRenderer,
  createPlainRenderer,
  createTeeSink,
  createTtyRenderer,
  shouldColor,
} from '../../../src/render/index.js';

function fakeStream(extra: { isTTY?: boolean; columns?: number } = {}) {
  const chunks: string[] = [];
  return { chunks, text: () => chunks.join(''), write: (s: string) => chunks.push(s), ...extra };
}

const events: BuildEvent[] = [
  {
    type: 'plan',
    tasks: [
      { id: 'base/a', phase: 'preparation', description: 'Do A' },
      { id: 'base/b', phase: 'cleaning', description: 'Do B' },
    ],
  },
  { type: 'phase-start', phase: 'preparation' },
  { type: 'task-start', id: 'base/a', phase: 'preparation', description: 'Do A' },
  { type: 'progress', id: 'base/a', done: 50, total: 100, unit: 'MiB' },
  { type: 'log', level: 'debug', message: 'noise', task: 'base/a' },
  { type: 'log', level: 'warn', message: 'careful', task: 'base/a' },
  { type: 'task-end', id: 'base/a', status: 'ok', seconds: 2.1 },
  { type: 'phase-start', phase: 'cleaning' },
  { type: 'task-start', id: 'base/b', phase: 'cleaning', description: 'Do B' },
  { type: 'task-end', id: 'base/b', status: 'failed', seconds: 0.25 },
  { type: 'rollback-start', reason: 'failure in base/b', tasks: 2 },
  { type: 'undo', id: 'base/b', status: 'ok' },
  { type: 'undo', id: 'base/a', status: 'failed', error: 'busy' },
  { type: 'rollback-end', ok: false },
];

// eslint-disable-next-line no-control-regex
const ESCAPE = /\x1b/;

describe('plain renderer', () => {
  it('prints one line per task start and end, warnings and rollback, without escape codes', () => {
    const stream = fakeStream();
    const sink = createPlainRenderer(stream);
    for (const e of events) sink.emit(e);
    assert.equal(
      stream.text(),
      [
        '== Preparation',
        '[1/2] base/a: Do A',
        'warn: [base/a] careful',
        'ok base/a (2.1s)',
        '== Cleaning',
        '[2/2] base/b: Do B',
        'FAILED base/b (0.3s)',
        'rollback of 2 task(s): failure in base/b',
        'undone base/b',
        'undo FAILED base/a: busy',
        'rollback INCOMPLETE',
        '',
      ].join('\n'),
    );
    assert.doesNotMatch(stream.text(), ESCAPE);
  });

  it('prints a file artifact with its path and a metric with its value and unit', () => {
    const stream = fakeStream();
    const sink = createPlainRenderer(stream);
    sink.emit({ type: 'artifact', artifact: { kind: 'image', path: '/out/x.raw' } });
    sink.emit({
      type: 'artifact',
      artifact: { kind: 'metric', name: 'minimize_size/bytes-saved', value: 4096, unit: 'bytes' },
    });
    assert.equal(
      stream.text(),
      'artifact image: /out/x.raw\nartifact metric: minimize_size/bytes-saved = 4096 bytes\n',
    );
  });

  it('shows debug messages when asked', () => {
    const stream = fakeStream();
    createPlainRenderer(stream, { debug: true }).emit({ type: 'log', level: 'debug', message: 'noise' });
    assert.equal(stream.text(), 'debug: noise\n');
  });
});

describe('json lines renderer', () => {
  it('writes one JSON object per event with a time, secrets masked', () => {
    registerSecret('json-secret-xyz');
    const stream = fakeStream();
    const sink = createJsonLinesRenderer(stream, { clock: () => new Date('2024-01-01T00:00:00Z') });
    for (const e of events) sink.emit(e);
    sink.emit({ type: 'log', level: 'info', message: 'key json-secret-xyz' });
    const lines = stream.text().trimEnd().split('\n');
    assert.equal(lines.length, events.length + 1);
    assert.deepEqual(JSON.parse(lines[0] ?? ''), { time: '2024-01-01T00:00:00.000Z', ...events[0] });
    assert.deepEqual(JSON.parse(lines[3] ?? ''), { time: '2024-01-01T00:00:00.000Z', ...events[3] });
    assert.equal(JSON.parse(lines.at(-1) ?? '').message, 'key ***');
  });
});

describe('tty renderer', () => {
  it('scrolls finished tasks above a live status line with a progress bar', async () => {
    const stream = fakeStream({ isTTY: true, columns: 100 });
    const sink = createTtyRenderer(stream, { color: false, redrawIntervalMs: 0 });
    for (const e of events.slice(0, 4)) sink.emit(e);
    await new Promise((r) => setTimeout(r, 5));
    assert.match(stream.text(), /Preparation 1\/2 Do A base\/a \d+\.\ds/);
    assert.match(stream.text(), /\[#{12}\.{12}\] {2}50% 50\/100 MiB/);
    for (const e of events.slice(4)) sink.emit(e);
    sink.close();
    const text = stream.text();
    assert.match(text, /✔ base\/a {2}2\.1s\n/);
    assert.match(text, /✖ base\/b {2}0\.3s\n/);
    assert.match(text, /⚠ base\/a: careful\n/);
    assert.doesNotMatch(text, /noise/);
    assert.match(text, /✖ undo base\/a failed: busy\n/);
    assert.ok(!text.includes('\x1b[3'), 'no color codes when color is off');
  });

  it('redraws at most about 10 times a second', async () => {
    const stream = fakeStream({ isTTY: true, columns: 80 });
    const sink = createTtyRenderer(stream, { color: true });
    sink.emit(events[0] as BuildEvent);
    sink.emit(events[2] as BuildEvent);
    for (let i = 0; i < 500; i++) sink.emit({ type: 'progress', id: 'base/a', done: i, total: 500 });
    await new Promise((r) => setTimeout(r, 150));
    sink.close();
    const draws = stream.chunks.filter((c) => c.includes('Do A')).length;
    assert.ok(draws >= 1 && draws <= 3, `${draws} redraws`);
    assert.ok(stream.text().includes('\x1b[36mPreparation\x1b[39m'), 'colored when color is on');
  });

  it('truncates the status line to the terminal width', () => {
    const stream = fakeStream({ isTTY: true, columns: 30 });
    const sink = createTtyRenderer(stream, { color: false });
    sink.emit(events[0] as BuildEvent);
    sink.emit({
      type: 'task-start',
      id: 'x/y',
      phase: 'preparation',
      description: 'a very long description '.repeat(5),
    });
    sink.close();
    const drawn = stream.chunks.find((c) => c.includes('very long')) ?? '';
    // eslint-disable-next-line no-control-regex
    assert.ok(drawn.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').length <= 29, drawn);
  });
});

describe('tee sink and color choice', () => {
  it('sends each event to every sink in order', () => {
    const got: string[] = [];
    const tee = createTeeSink(
      { emit: (e) => got.push(`1:${e.type}`) },
      { emit: (e) => got.push(`2:${e.type}`) },
    );
    tee.emit({ type: 'rollback-end', ok: true });
    assert.deepEqual(got, ['1:rollback-end', '2:rollback-end']);
  });

  it('colors in auto mode only on a terminal without NO_COLOR', () => {
    assert.equal(shouldColor('auto', { isTTY: true }, {}), true);
    assert.equal(shouldColor('auto', { isTTY: true }, { NO_COLOR: '1' }), false);
    assert.equal(shouldColor('auto', { isTTY: false }, {}), false);
    assert.equal(shouldColor('always', { isTTY: false }, {}), true);
    assert.equal(shouldColor('never', { isTTY: true }, {}), false);
  });
});

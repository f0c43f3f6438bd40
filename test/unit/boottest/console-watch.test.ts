import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { cleanConsole, LOGIN_PROMPT, watchConsole } from '../../../src/boottest/console-watch.js';

describe('console watch', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'console-watch-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('finds a login prompt even with kernel messages on the same line, and logs the raw console', async () => {
    const stream = new PassThrough();
    const log = join(dir, 'a.log');
    const w = watchConsole(stream, log, Date.now());
    const waiting = w.waitFor(LOGIN_PROMPT, Date.now() + 5000);
    stream.write('Debian GNU/Linux 12 ip-169-254-0-15 ttyS0\r\n\r\n');
    stream.write('ip-169-254-0-15 login: [   86.28] cloud-init[495]: Cloud-init v. 22.4.2\r\n');
    const r = await waiting;
    assert.equal(r.kind, 'matched');
    stream.end();
    await w.ended;
    await w.close();
    assert.match(await readFile(log, 'utf8'), /\r\n/);
    assert.doesNotMatch(w.text(), /\r/);
  });

  it('gives up at once when the boot failed (emergency mode, initramfs shell)', async () => {
    const stream = new PassThrough();
    const w = watchConsole(stream, join(dir, 'b.log'), Date.now());
    const waiting = w.waitFor(LOGIN_PROMPT, Date.now() + 60_000);
    stream.write('[ TIME ] Timed out waiting for device dev-disk-by\\x2duuid-1234.device\n');
    stream.write('You are in emergency mode. After logging in, type "journalctl -xb"\n');
    const r = await waiting;
    assert.equal(r.kind, 'failed');
    assert.match(r.kind === 'failed' ? r.line : '', /emergency mode/);
    stream.end();
    await w.close();
  });

  it('times out, and reports an exited QEMU', async () => {
    const stream = new PassThrough();
    const w = watchConsole(stream, join(dir, 'c.log'), Date.now());
    assert.equal((await w.waitFor(LOGIN_PROMPT, Date.now() + 50)).kind, 'timeout');
    stream.end('SeaBIOS\n');
    await w.ended;
    assert.equal((await w.waitFor(LOGIN_PROMPT, Date.now() + 5000)).kind, 'exited');
    await w.close();
  });

  it('stops waiting when aborted', async () => {
    const stream = new PassThrough();
    const w = watchConsole(stream, join(dir, 'd.log'), Date.now());
    const ac = new AbortController();
    const waiting = w.waitFor(LOGIN_PROMPT, Date.now() + 60_000, ac.signal);
    ac.abort();
    assert.equal((await waiting).kind, 'timeout');
    stream.end();
    await w.close();
  });

  it('strips escape sequences and carriage returns', () => {
    assert.equal(cleanConsole('\x1b[0;32m  OK  \x1b[0m] Started\r\n'), '  OK  ] Started\n');
  });
});

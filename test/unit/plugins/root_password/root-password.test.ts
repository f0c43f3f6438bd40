import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { BuildState, ROOT_DIR, sha512Crypt, type Task, type TaskSet } from '../../../../src/api/index.js';
import { baseManifestData, testContext, testManifest } from '../../../helpers/fake-context.js';
import { REMOVED_TASKS, rootPasswordPlugin } from '../../../../plugins/root_password/index.js';
import { schema } from '../../../../plugins/root_password/schema.js';
import { rootPasswordHash, setRootPassword } from '../../../../plugins/root_password/tasks.js';

function manifest(settings: Record<string, unknown>) {
  return testManifest({ ...baseManifestData, plugins: { root_password: settings } });
}

function context(settings: Record<string, unknown>) {
  const state = new BuildState();
  state.set(ROOT_DIR, '/mnt/image');
  return testContext({ manifest: manifest(settings), state, taskId: setRootPassword.id });
}

describe('root_password/set-password', () => {
  it('hashes the password here and hands only the hash to chpasswd --encrypted, on stdin', async () => {
    const ctx = context({ password: 'test' });
    await setRootPassword.run(ctx);
    assert.deepEqual(ctx.runner.lines(), ['[chroot] chpasswd --encrypted']);
    const call = ctx.runner.calls[0];
    assert.equal(call?.chrootRoot, '/mnt/image');
    const input = String(call?.options?.input);
    const m = /^root:(\$6\$([^$]+)\$[^\n]+)\n$/.exec(input);
    assert.ok(m, `unexpected chpasswd input ${input}`);
    assert.equal(m[1], sha512Crypt('test', m[2]), 'the hash is of the manifest password');
    assert.ok(!input.includes('test\n') && !call?.argv.includes('test'), 'no clear text reaches the command');
    assert.deepEqual(call?.options?.secrets, [m[1], 'test']);
  });

  it('stores password-crypted as it is', async () => {
    const hash = '$6$abc$' + 'x'.repeat(86);
    const ctx = context({ 'password-crypted': hash });
    await setRootPassword.run(ctx);
    assert.equal(ctx.runner.calls[0]?.options?.input, `root:${hash}\n`);
    assert.equal(rootPasswordHash({ 'password-crypted': hash }), hash);
  });

  it('fails clearly when the image root is not mounted', async () => {
    const ctx = testContext({ manifest: manifest({ password: 'test' }) });
    await assert.rejects(setRootPassword.run(ctx), /not mounted/);
  });
});

describe('root_password plugin', () => {
  it('plans its task and removes the base lock and SSH password hardening, as bootstrap-vz did', () => {
    const added: Task[] = [];
    const removed: string[] = [];
    const set: TaskSet = {
      add: (...t) => void added.push(...t),
      remove: (...ids) => void removed.push(...ids),
      has: () => false,
    };
    rootPasswordPlugin.resolveTasks(manifest({ password: 'test' }), set);
    assert.deepEqual(
      added.map((t) => t.id),
      ['root_password/set-password'],
    );
    assert.deepEqual(removed, ['base/lock-root-account', 'base/configure-sshd']);
    assert.deepEqual(REMOVED_TASKS, removed);
  });

  it('schema: exactly one of password and password-crypted, and a crypted value must look like a hash', () => {
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    assert.ok(validate({ password: 'test' }), 'bootstrap-vz corpus value');
    assert.ok(validate({ 'password-crypted': '$y$j9T$abc$def' }));
    assert.ok(!validate({}), 'neither');
    assert.ok(!validate({ password: 'a', 'password-crypted': '$6$a$b' }), 'both');
    assert.ok(!validate({ 'password-crypted': 'plain text' }), 'not a hash');
    assert.ok(!validate({ password: '' }), 'empty');
  });
});

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { CheckReporter, ManifestData, Task, TaskSet } from '../../../../src/api/index.js';
import { adminUserPlugin } from '../../../../plugins/admin_user/index.js';
import { baseManifestData, tempDir, testManifest } from '../../../helpers/fake-context.js';

const KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAiDwXk60x0DXPdj03txsZB85HIuyyFRYyRByXmOxAe9 example-key-replace-me';

function check(
  plugins: NonNullable<ManifestData['plugins']>,
  extra: Partial<ManifestData> = {},
  file?: string,
): string[] {
  const out: string[] = [];
  const report: CheckReporter = {
    error: (pointer, message) => void out.push(`error ${pointer}: ${message}`),
    warn: (pointer, message, hint) => void out.push(`warn ${pointer}: ${message}${hint ? ` (${hint})` : ''}`),
  };
  adminUserPlugin.check?.(testManifest({ ...baseManifestData, ...extra, plugins }, file), report);
  return out;
}

function planned(settings: Record<string, unknown>): string[] {
  const ids: string[] = [];
  const set: TaskSet = {
    add: (...t: Task[]) => void ids.push(...t.map((x) => x.id)),
    remove: () => {},
    has: () => false,
  };
  adminUserPlugin.resolveTasks(testManifest({ ...baseManifestData, plugins: { admin_user: settings } }), set);
  return ids.sort();
}

describe('admin_user plugin', () => {
  it('plans the password and key tasks only when they are set', () => {
    const always = [
      'admin_user/add-sudo-package',
      'admin_user/allow-sudo',
      'admin_user/configure-sshd',
      'admin_user/create-user',
    ];
    assert.deepEqual(
      planned({ username: 'a', password: 'p' }),
      [...always, 'admin_user/set-password'].sort(),
    );
    assert.deepEqual(
      planned({ username: 'a', pubkey: KEY }),
      [...always, 'admin_user/install-pubkey'].sort(),
    );
    for (const t of adminUserPlugin.tasks) assert.ok(t.id.startsWith('admin_user/'));
  });

  it('accepts a good key text and a bootstrap-vz style password user without a word', () => {
    assert.deepEqual(check({ admin_user: { username: 'debian', pubkey: KEY } }), []);
    assert.deepEqual(check({ admin_user: { username: 'administrator', password: 'something' } }), []);
  });

  it('reports a bad key text, a missing or private key file, and root as the user', async () => {
    assert.deepEqual(check({ admin_user: { username: 'root', password: 'x' } }), [
      'error /plugins/admin_user/username: the admin user cannot be root: the plugin refuses root logins over SSH',
    ]);
    assert.deepEqual(check({ admin_user: { username: 'a', pubkey: 'ssh-ed25519 AAAAC3NzaC1lZDI1' } }), [
      'error /plugins/admin_user/pubkey: the key data does not match its type ssh-ed25519 (truncated or mangled?)',
    ]);
    const dir = await tempDir();
    try {
      const file = join(dir.path, 'm.yml');
      const [missing] = check({ admin_user: { username: 'a', pubkey: 'keys/a.pub' } }, {}, file);
      assert.equal(
        missing,
        `error /plugins/admin_user/pubkey: cannot read the public key file ${join(dir.path, 'keys/a.pub')}: ENOENT`,
      );
      await writeFile(join(dir.path, 'id_rsa'), '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n');
      assert.match(
        check({ admin_user: { username: 'a', pubkey: 'id_rsa' } }, {}, file)[0] ?? '',
        /private key/,
      );
      await writeFile(join(dir.path, 'id_rsa.pub'), `${KEY}\n`);
      assert.deepEqual(check({ admin_user: { username: 'a', pubkey: 'id_rsa.pub' } }, {}, file), []);
    } finally {
      await dir.cleanup();
    }
  });

  it('warns about a user nobody can log in as, pointing EC2 users at cloud_init', () => {
    assert.deepEqual(check({ admin_user: { username: 'a' } }), [
      'warn /plugins/admin_user: user a has no SSH key and no password: nobody can log in as this user (set pubkey or password)',
    ]);
    const ec2 = { provider: { name: 'ec2' } };
    assert.match(
      check({ admin_user: { username: 'a' } }, ec2)[0] ?? '',
      /enable cloud_init with username: a/,
    );
    assert.deepEqual(check({ admin_user: { username: 'a' }, cloud_init: { username: 'a' } }, ec2), []);
  });
});

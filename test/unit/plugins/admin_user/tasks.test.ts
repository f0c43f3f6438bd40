import assert from 'node:assert/strict';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { BuildState, PACKAGES, ROOT_DIR, sha512Crypt } from '../../../../src/api/index.js';
import {
  baseManifestData,
  tempDir,
  testContext,
  testManifest,
  type TestContext,
} from '../../../helpers/fake-context.js';
import {
  addSudoPackage,
  allowPasswordlessSudo,
  configureAdminSsh,
  createAdminUser,
  installAdminPublicKey,
  setAdminPassword,
} from '../../../../plugins/admin_user/tasks.js';

const KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAiDwXk60x0DXPdj03txsZB85HIuyyFRYyRByXmOxAe9 example-key-replace-me';
const DEBIAN_SSHD = 'Include /etc/ssh/sshd_config.d/*.conf\n\nKbdInteractiveAuthentication no\nUsePAM yes\n';

let root: string;
let cleanup: () => Promise<void>;

// Inside a describe: scripts/run-tests.mjs runs several files per process.
describe('admin_user tasks', () => {
  beforeEach(async () => {
    ({ path: root, cleanup } = await tempDir('admin-user-'));
    await mkdir(join(root, 'etc/ssh'), { recursive: true });
    await writeFile(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
  });
  afterEach(() => cleanup());

  function context(settings: Record<string, unknown>, manifestFile?: string): TestContext {
    const state = new BuildState();
    state.set(ROOT_DIR, root);
    const m = testManifest({ ...baseManifestData, plugins: { admin_user: settings } }, manifestFile);
    return testContext({ manifest: m, state });
  }

  const mode = async (p: string) => (await stat(join(root, p))).mode & 0o777;

  describe('admin_user tasks', () => {
    it('adds sudo to the packages', async () => {
      const ctx = context({ username: 'debian' });
      await addSudoPackage.run(ctx);
      assert.ok(ctx.state.get(PACKAGES).has('sudo'));
    });

    it('creates the user with a home and bash, and skips a user that exists', async () => {
      const ctx = context({ username: 'debian' });
      await createAdminUser.run(ctx);
      assert.deepEqual(ctx.runner.lines(), ['[chroot] useradd --create-home --shell /bin/bash -- debian']);
      assert.equal(ctx.runner.calls[0]?.chrootRoot, root);

      await writeFile(join(root, 'etc/passwd'), 'debian:x:1000:1000::/home/debian:/bin/bash\n');
      const again = context({ username: 'debian' });
      await createAdminUser.run(again);
      assert.deepEqual(again.runner.calls, []);
      assert.match(again.logs.join('\n'), /exists/);
    });

    it('writes a 0440 sudoers entry ending in a newline and has visudo check it', async () => {
      const ctx = context({ username: 'debian' });
      await allowPasswordlessSudo.run(ctx);
      assert.equal(
        await readFile(join(root, 'etc/sudoers.d/99_admin'), 'utf8'),
        'debian ALL=(ALL) NOPASSWD:ALL\n',
      );
      assert.equal(await mode('etc/sudoers.d/99_admin'), 0o440);
      assert.deepEqual(ctx.runner.lines(), ['[chroot] visudo -c -f /etc/sudoers.d/99_admin']);
    });

    it('sets the password from a hash made here, the clear text only in secrets', async () => {
      const ctx = context({ username: 'debian', password: 's3cr3t' });
      await setAdminPassword.run(ctx);
      assert.deepEqual(ctx.runner.lines(), ['[chroot] chpasswd --encrypted']);
      const options = ctx.runner.calls[0]?.options;
      const m = /^debian:(\$6\$([^$]+)\$\S+)\n$/.exec(String(options?.input));
      assert.ok(m);
      assert.equal(m[1], sha512Crypt('s3cr3t', m[2]));
      assert.deepEqual(options?.secrets, ['s3cr3t', m[1]]);
    });

    it('installs key text into authorized_keys with ssh modes and chowns it in the image', async () => {
      await writeFile(join(root, 'etc/passwd'), 'debian:x:1000:1000::/srv/debian:/bin/bash\n');
      const ctx = context({ username: 'debian', pubkey: KEY });
      await installAdminPublicKey.run(ctx);
      assert.equal(await readFile(join(root, 'srv/debian/.ssh/authorized_keys'), 'utf8'), `${KEY}\n`);
      assert.equal(await mode('srv/debian/.ssh'), 0o700);
      assert.equal(await mode('srv/debian/.ssh/authorized_keys'), 0o600);
      assert.deepEqual(ctx.runner.lines(), ['[chroot] chown -R -- debian: /srv/debian/.ssh']);
    });

    it('reads a key file relative to the manifest and keeps keys already authorized', async () => {
      await writeFile(join(root, 'admin.pub'), `${KEY}\n`);
      await mkdir(join(root, 'home/debian/.ssh'), { recursive: true });
      await writeFile(join(root, 'home/debian/.ssh/authorized_keys'), 'ssh-ed25519 AAAAother other\n');
      const ctx = context({ username: 'debian', pubkey: 'admin.pub' }, join(root, 'image.yml'));
      await installAdminPublicKey.run(ctx);
      assert.equal(
        await readFile(join(root, 'home/debian/.ssh/authorized_keys'), 'utf8'),
        `ssh-ed25519 AAAAother other\n${KEY}\n`,
      );
    });

    it('fails with a hint when the key file is gone at build time', async () => {
      const ctx = context({ username: 'debian', pubkey: 'gone.pub' }, join(root, 'image.yml'));
      await assert.rejects(installAdminPublicKey.run(ctx), /cannot read the public key file .*gone\.pub/);
    });

    it('refuses root over SSH in a drop-in read before base/configure-sshd (bookworm layout)', async () => {
      await writeFile(join(root, 'etc/ssh/sshd_config'), DEBIAN_SSHD);
      const ctx = context({ username: 'debian', pubkey: KEY });
      await configureAdminSsh.run(ctx);
      const dropIn = await readFile(join(root, 'etc/ssh/sshd_config.d/40-admin-user.conf'), 'utf8');
      assert.match(dropIn, /^PermitRootLogin no$/m);
      assert.doesNotMatch(dropIn, /PasswordAuthentication/);
      // sshd takes the first value: 40-admin-user.conf sorts before base's 50-bootstrap.conf.
      assert.ok('40-admin-user.conf' < '50-bootstrap.conf');
      assert.equal(await readFile(join(root, 'etc/ssh/sshd_config'), 'utf8'), DEBIAN_SSHD);
    });

    it('puts the block on top of an sshd_config without Include, above base, once', async () => {
      const base =
        '# BEGIN image bootstrapper\nPasswordAuthentication no\n# END image bootstrapper\n\nPort 22\n';
      await writeFile(join(root, 'etc/ssh/sshd_config'), base);
      const ctx = context({ username: 'debian', password: 'pw' });
      await configureAdminSsh.run(ctx);
      await configureAdminSsh.run(ctx);
      const text = await readFile(join(root, 'etc/ssh/sshd_config'), 'utf8');
      assert.equal(text.split('# BEGIN admin_user').length, 2, 'one block after two runs');
      assert.ok(text.startsWith('# BEGIN admin_user\n'));
      assert.ok(text.indexOf('PasswordAuthentication yes') < text.indexOf('PasswordAuthentication no'));
      assert.ok(text.endsWith(base));
    });
  });

  it('admin_user/configure-sshd does nothing but warn in an image without an SSH server', async () => {
    const { path, cleanup: done } = await tempDir('admin-user-');
    try {
      const state = new BuildState();
      state.set(ROOT_DIR, path);
      const m = testManifest({ ...baseManifestData, plugins: { admin_user: { username: 'debian' } } });
      const ctx = testContext({ manifest: m, state });
      await configureAdminSsh.run(ctx);
      assert.match(ctx.logs.join('\n'), /^warn: the image has no \/etc\/ssh\/sshd_config/);
      await assert.rejects(stat(join(path, 'etc/ssh')), { code: 'ENOENT' });
    } finally {
      await done();
    }
  });
});

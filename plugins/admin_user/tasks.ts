/**
 * The admin_user plugin's tasks, in bootstrap-vz's order: sudo in the package list, the user, its
 * sudoers entry, then its password and key, and the SSH settings that keep root out.
 */
import {
  BuildError,
  defineTask,
  hasSshdDropInInclude,
  imageRoot,
  PACKAGES,
  sha512Crypt,
  userName,
} from '../../src/api/index.js';
import { mergeAuthorizedKeys, readPublicKeys } from './public-key.js';
import { passwdEntry, readPasswd, settings } from './settings.js';
import { DROP_IN, prependBlock, renderSshdBlock } from './sshd-config.js';

export const addSudoPackage = defineTask({
  id: 'admin_user/add-sudo-package',
  phase: 'preparation',
  description: 'Add sudo to the packages to install',
  async run(ctx) {
    ctx.state.get(PACKAGES).add('sudo');
  },
});

export const createAdminUser = defineTask({
  id: 'admin_user/create-user',
  phase: 'system-modification',
  description: 'Create the admin user',
  hostCommands: ['chroot'],
  async run(ctx) {
    const root = imageRoot(ctx);
    const { username } = settings(ctx);
    if (passwdEntry(await readPasswd(ctx, root), username)) {
      // A prebootstrapped volume or another plugin (cloud-init's default user) made it already.
      ctx.log('info', `user ${username} exists in the image; not creating it again`);
      return;
    }
    await ctx.runner.chroot(root, ['useradd', '--create-home', '--shell', '/bin/bash', '--', username]);
  },
});

/** bootstrap-vz's file name and mode (0440: sudo refuses sudoers files others can write). */
export const SUDOERS_FILE = '/etc/sudoers.d/99_admin';

/**
 * The sudoers line. The name is a plain user name (userName refuses anything else: a newline would
 * add a rule, `ALL`-like words or `%` would change whom it grants). sudo ignores (and older sudo
 * rejects) a sudoers.d file whose last line has no newline.
 */
export function sudoersRule(username: string): string {
  return `${userName(username, 'plugins.admin_user.username')} ALL=(ALL) NOPASSWD:ALL\n`;
}

export const allowPasswordlessSudo = defineTask({
  id: 'admin_user/allow-sudo',
  phase: 'system-modification',
  description: 'Let the admin user use sudo without a password',
  after: ['admin_user/create-user'],
  hostCommands: ['chroot'],
  async run(ctx) {
    const root = imageRoot(ctx);
    const { username } = settings(ctx);
    await ctx.fs.mkdir(`${root}/etc/sudoers.d`, { mode: 0o750 });
    await ctx.fs.writeFile(`${root}${SUDOERS_FILE}`, sudoersRule(username), { mode: 0o440 });
    // A syntax error in sudoers locks everyone out of sudo: let the image's visudo check it now.
    await ctx.runner.chroot(root, ['visudo', '-c', '-f', SUDOERS_FILE]);
  },
});

export const setAdminPassword = defineTask({
  id: 'admin_user/set-password',
  phase: 'system-modification',
  description: "Set the admin user's password",
  after: ['admin_user/create-user'],
  hostCommands: ['chroot'],
  async run(ctx) {
    const { username, password } = settings(ctx);
    if (password === undefined) return;
    const hash = sha512Crypt(password);
    await ctx.runner.chroot(imageRoot(ctx), ['chpasswd', '--encrypted'], {
      input: `${userName(username, 'plugins.admin_user.username')}:${hash}\n`,
      secrets: [password, hash],
    });
  },
});

export const installAdminPublicKey = defineTask({
  id: 'admin_user/install-pubkey',
  phase: 'system-modification',
  description: "Put the public key in the admin user's authorized_keys",
  after: ['admin_user/create-user'],
  hostCommands: ['chroot'],
  async run(ctx) {
    const root = imageRoot(ctx);
    const { username, pubkey } = settings(ctx);
    if (pubkey === undefined) return;
    let keys: string[];
    try {
      keys = readPublicKeys(pubkey, ctx.manifest.file);
    } catch (e) {
      throw new BuildError(
        (e as Error).message,
        'plugins.admin_user.pubkey is a key file path or the key text',
      );
    }
    const home = passwdEntry(await readPasswd(ctx, root), username)?.home ?? `/home/${username}`;
    const sshDir = `${home}/.ssh`;
    const file = `${root}${sshDir}/authorized_keys`;
    await ctx.fs.mkdir(`${root}${sshDir}`, { mode: 0o700 });
    const existing = (await ctx.fs.exists(file)) ? await ctx.fs.readFile(file) : '';
    await ctx.fs.writeFile(file, mergeAuthorizedKeys(existing, keys), { mode: 0o600 });
    // The user's uid exists only in the image's passwd: chown there. `user:` is its login group.
    await ctx.runner.chroot(root, [
      'chown',
      '-R',
      '--',
      `${userName(username, 'plugins.admin_user.username')}:`,
      sshDir,
    ]);
  },
});

export const configureAdminSsh = defineTask({
  id: 'admin_user/configure-sshd',
  phase: 'system-modification',
  description: 'Refuse root logins over SSH (and allow password logins when the admin user has a password)',
  after: ['base/configure-sshd'],
  async run(ctx) {
    const root = imageRoot(ctx);
    const block = renderSshdBlock({ passwordLogin: settings(ctx).password !== undefined });
    const mainPath = `${root}/etc/ssh/sshd_config`;
    if (!(await ctx.fs.exists(mainPath))) {
      // No OpenSSH server in the image (base plans one, so another plugin removed it): nothing to refuse.
      ctx.log('warn', 'the image has no /etc/ssh/sshd_config; root SSH logins not configured');
      return;
    }
    const main = await ctx.fs.readFile(mainPath);
    if (hasSshdDropInInclude(main)) {
      await ctx.fs.mkdir(`${root}/etc/ssh/sshd_config.d`, { mode: 0o755 });
      await ctx.fs.writeFile(`${root}${DROP_IN}`, block, { mode: 0o644 });
    } else {
      await ctx.fs.writeFile(mainPath, prependBlock(main, block), { mode: 0o644 });
    }
  },
});

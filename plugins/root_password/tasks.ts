/** The root_password plugin's task: set root's password with `chpasswd --encrypted`. */
import { BuildError, defineTask, imageRoot, oneLineValue, sha512Crypt } from '../../src/api/index.js';

export interface RootPasswordSettings {
  readonly password?: string;
  readonly 'password-crypted'?: string;
}

/** The hash to store: the manifest's own, or the clear-text password hashed here (never on a command line). */
export function rootPasswordHash(settings: RootPasswordSettings, hash = sha512Crypt): string {
  const crypted = settings['password-crypted'];
  if (crypted !== undefined) {
    // chpasswd reads `user:hash` lines: a newline or colon in the hash would set another user's password.
    if (crypted.includes(':'))
      throw new BuildError(
        'root_password.password-crypted holds a ":"',
        'give a crypt(3) hash such as $6$...',
      );
    return oneLineValue(crypted, 'root_password.password-crypted');
  }
  if (settings.password === undefined)
    throw new BuildError('root_password needs password or password-crypted');
  return hash(settings.password);
}

export const setRootPassword = defineTask({
  id: 'root_password/set-password',
  phase: 'system-modification',
  description: "Set root's password",
  // If another plugin planned the lock, set the password after it so the password wins.
  after: ['base/lock-root-account'],
  hostCommands: ['chroot'],
  async run(ctx) {
    const root = imageRoot(ctx);
    const settings = ctx.manifest.pluginSettings<RootPasswordSettings>('root_password') ?? {};
    const hash = rootPasswordHash(settings);
    // stdin is never logged; the secrets also mask the values should a tool echo them in an error.
    await ctx.runner.chroot(root, ['chpasswd', '--encrypted'], {
      input: `root:${hash}\n`,
      secrets: [hash, ...(settings.password !== undefined ? [settings.password] : [])],
    });
  },
});

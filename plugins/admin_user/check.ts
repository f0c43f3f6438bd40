/**
 * Semantic checks of plugins.admin_user, beyond its schema: the key must be a readable public key
 * (bootstrap-vz's CheckPublicKeyFile ran ssh-keygen on it), and a user nobody can log in as is a
 * mistake worth a warning (bootstrap-vz warned too).
 */
import type { CheckReporter, Manifest } from '../../src/api/index.js';
import { isKeyText, keyTextProblems, readPublicKeys } from './public-key.js';
import type { AdminUserSettings } from './settings.js';

const AT = '/plugins/admin_user';

export function checkAdminUser(manifest: Manifest, report: CheckReporter): void {
  const s = manifest.pluginSettings<AdminUserSettings>('admin_user');
  if (!s) return;
  if (s.username === 'root') {
    report.error(
      `${AT}/username`,
      'the admin user cannot be root: the plugin refuses root logins over SSH',
      'pick another name, e.g. admin',
    );
  }
  if (s.pubkey !== undefined) {
    if (isKeyText(s.pubkey)) {
      for (const problem of keyTextProblems(s.pubkey)) report.error(`${AT}/pubkey`, problem);
    } else {
      try {
        readPublicKeys(s.pubkey, manifest.file);
      } catch (e) {
        report.error(
          `${AT}/pubkey`,
          (e as Error).message,
          'a path is relative to the manifest file; the key text (ssh-ed25519 AAAA...) works too',
        );
      }
    }
  }
  const cloudInitUser = manifest.pluginSettings<{ username?: string }>('cloud_init')?.username;
  if (s.pubkey === undefined && s.password === undefined && cloudInitUser !== s.username) {
    const hint =
      manifest.data.provider.name === 'ec2'
        ? `set pubkey, or enable cloud_init with username: ${s.username} so the EC2 key pair is installed for this user`
        : 'set pubkey or password';
    report.warn(
      AT,
      `user ${s.username} has no SSH key and no password: nobody can log in as this user`,
      hint,
    );
  }
}

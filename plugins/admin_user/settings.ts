/** The admin_user settings and the small lookups its tasks share. */
import { BuildError, type TaskContext } from '../../src/api/index.js';

export interface AdminUserSettings {
  readonly username: string;
  readonly password?: string;
  readonly pubkey?: string;
}

export function settings(ctx: TaskContext): AdminUserSettings {
  const s = ctx.manifest.pluginSettings<AdminUserSettings>('admin_user');
  if (!s) throw new BuildError('plugins.admin_user is not set');
  return s;
}

/** The passwd entry of `user` in the image, or undefined when there is none. */
export function passwdEntry(passwd: string, user: string): { home: string } | undefined {
  for (const line of passwd.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === user && fields.length >= 7) return { home: fields[5] ?? `/home/${user}` };
  }
  return undefined;
}

export async function readPasswd(ctx: TaskContext, root: string): Promise<string> {
  const path = `${root}/etc/passwd`;
  return (await ctx.fs.exists(path)) ? ctx.fs.readFile(path) : '';
}

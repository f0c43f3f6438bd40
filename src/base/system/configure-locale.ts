/**
 * System modification: generate the manifest's locale and make it the default (bootstrap-vz
 * GenerateLocale + SetDefaultLocale). For C/POSIX nothing is generated; /etc/default/locale still
 * names it so the image does not fall back to whatever the login session passes in.
 */
import type { Task } from '../../api/index.js';
import { imageRoot, inImage } from './image-paths.js';
import { localeChoice } from './locale-name.js';
import { renderTemplate } from './render-template.js';

/** /etc/locale.gen with `line` active: uncomments it when present, appends it otherwise. */
export function enableLocaleGenLine(current: string, line: string): string {
  const lines = current === '' ? [] : current.replace(/\n$/, '').split('\n');
  const norm = (l: string) => l.replace(/^#\s*/, '').trim().replace(/\s+/g, ' ');
  const index = lines.findIndex((l) => norm(l) === line);
  if (index >= 0) lines[index] = line;
  else lines.push(line);
  return `${lines.join('\n')}\n`;
}

export const configureLocale: Task = {
  id: 'base/configure-locale',
  phase: 'system-modification',
  description: 'Generate the locale and set it as the default',
  hostCommands: ['chroot'],
  async run(ctx) {
    const root = imageRoot(ctx);
    const choice = localeChoice(ctx.manifest);
    if (choice.localeGenLine !== undefined) {
      const path = inImage(root, '/etc/locale.gen');
      const current = (await ctx.fs.exists(path)) ? await ctx.fs.readFile(path) : '';
      await ctx.fs.writeFile(path, enableLocaleGenLine(current, choice.localeGenLine), { mode: 0o644 });
      await ctx.runner.chroot(root, ['locale-gen']);
    }
    await ctx.fs.writeFile(
      inImage(root, '/etc/default/locale'),
      renderTemplate('system/locale.njk', choice),
      {
        mode: 0o644,
      },
    );
  },
};

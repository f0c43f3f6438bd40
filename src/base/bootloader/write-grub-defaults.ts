/**
 * System modification: write GRUB_DEFAULTS to a drop-in, /etc/default/grub.d/50-bootstrap.cfg, which
 * grub-mkconfig sources after /etc/default/grub; the package's own file stays untouched, so upgrades
 * raise no conffile prompt. GRUB_CMDLINE_LINUX is the map's value followed by KERNEL_CMDLINE, duplicates
 * dropped. Every value is single-quoted: the file is sourced by a shell and values may come from the
 * manifest.
 */
import { BuildError, GRUB_DEFAULTS, KERNEL_CMDLINE, type Task } from '../../api/index.js';
import { imageRoot, inImage } from '../system/image-paths.js';
import { renderTemplate } from '../system/render-template.js';

export const GRUB_DROP_IN = '/etc/default/grub.d/50-bootstrap.cfg';

export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

export function renderGrubDefaults(values: ReadonlyMap<string, string>, cmdline: readonly string[]): string {
  const args: string[] = [];
  for (const arg of [...(values.get('GRUB_CMDLINE_LINUX') ?? '').split(/\s+/), ...cmdline]) {
    if (arg !== '' && !args.includes(arg)) args.push(arg);
  }
  const entries = [...values].filter(([key]) => key !== 'GRUB_CMDLINE_LINUX');
  entries.push(['GRUB_CMDLINE_LINUX', args.join(' ')]);
  for (const [key] of entries) {
    if (!/^GRUB_[A-Z0-9_]+$/.test(key)) throw new BuildError(`invalid /etc/default/grub key "${key}"`);
  }
  return renderTemplate('bootloader/grub-defaults.cfg.njk', {
    lines: entries.map(([key, value]) => `${key}=${shellQuote(value)}`),
  });
}

export const writeGrubDefaults: Task = {
  id: 'base/write-grub-defaults',
  phase: 'system-modification',
  description: 'Write the GRUB defaults drop-in',
  async run(ctx) {
    const root = imageRoot(ctx);
    const text = renderGrubDefaults(ctx.state.get(GRUB_DEFAULTS), ctx.state.get(KERNEL_CMDLINE));
    await ctx.fs.mkdir(inImage(root, '/etc/default/grub.d'), { mode: 0o755 });
    await ctx.fs.writeFile(inImage(root, GRUB_DROP_IN), text, { mode: 0o644 });
  },
};

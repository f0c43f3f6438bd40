/**
 * Package-installation tasks: dpkg path filters and apt settings go into the image right after the
 * bootstrap, before base/apt-update, so every later apt run obeys them; what the bootstrapper
 * installed before the filters existed is removed at once.
 */
import { join } from 'node:path';
import { defineTask, formatBytes, imageRoot } from '../../src/api/index.js';
import { APT_CONF_DIR, aptDropIns, AUTOCLEAN_DROP_IN } from './apt-config.js';
import { DPKG_CFG_DIR, dpkgDropIns, renderDropIn } from './dpkg-filters.js';
import { removeFiltered } from './remove-filtered.js';
import { minimizeSettings } from './settings.js';

export const writeDpkgFilters = defineTask({
  id: 'minimize_size/write-dpkg-filters',
  phase: 'package-installation',
  description: 'Keep dpkg from installing documentation and unwanted locales (path-exclude drop-ins)',
  after: ['base/bootstrap-os'],
  before: ['base/apt-update', 'base/install-packages'],
  async run(ctx) {
    const dir = join(imageRoot(ctx), DPKG_CFG_DIR);
    await ctx.fs.mkdir(dir);
    for (const dropIn of dpkgDropIns(minimizeSettings(ctx))) {
      await ctx.fs.writeFile(join(dir, dropIn.name), renderDropIn(dropIn), { mode: 0o644 });
    }
  },
});

export const removeFilteredFiles = defineTask({
  id: 'minimize_size/remove-filtered-files',
  phase: 'package-installation',
  description: 'Remove the documentation and locales the bootstrap installed before the dpkg filters',
  after: ['minimize_size/write-dpkg-filters'],
  before: ['base/apt-update', 'base/install-packages'],
  async run(ctx) {
    const rules = dpkgDropIns(minimizeSettings(ctx)).flatMap((d) => d.rules);
    const removed = await removeFiltered(ctx, imageRoot(ctx), rules);
    ctx.log('info', `removed ${removed.files} filtered files (${formatBytes(removed.bytes)}) from the image`);
  },
});

export const writeAptConfig = defineTask({
  id: 'minimize_size/write-apt-config',
  phase: 'package-installation',
  description: 'Configure apt: translation languages, gzipped indexes, autoremove of suggested packages',
  after: ['base/bootstrap-os'],
  before: ['base/apt-update'],
  async run(ctx) {
    const dir = join(imageRoot(ctx), APT_CONF_DIR);
    await ctx.fs.mkdir(dir);
    for (const d of aptDropIns(minimizeSettings(ctx)))
      await ctx.fs.writeFile(join(dir, d.name), d.content, { mode: 0o644 });
  },
});

export const writeAptAutoclean = defineTask({
  id: 'minimize_size/write-apt-autoclean',
  phase: 'system-cleaning',
  description: 'Configure apt in the image to empty its caches after every run',
  after: ['base/clean-apt'],
  async run(ctx) {
    const dir = join(imageRoot(ctx), APT_CONF_DIR);
    await ctx.fs.mkdir(dir);
    await ctx.fs.writeFile(join(dir, AUTOCLEAN_DROP_IN.name), AUTOCLEAN_DROP_IN.content, { mode: 0o644 });
  },
});

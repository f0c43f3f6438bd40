/**
 * The file_copy plugin's tasks: the sources are checked before any work starts (bootstrap-vz's
 * ValidateSourcePaths), then directories are created and files copied late in system modification:
 * after the base tasks that write configuration (so a copied /etc file wins over a generated one) and
 * before GRUB's configuration is generated and units are enabled (so copies there still count).
 */
import { stat } from 'node:fs/promises';
import { BuildError, defineTask, imageRoot, type TaskContext } from '../../src/api/index.js';
import { applyOwnership } from './apply-ownership.js';
import { copyIntoImage } from './copy-into-image.js';
import { hostPath, resolveInImage } from './image-path.js';
import { sourcePath, type FileCopySettings } from './settings.js';

function settings(ctx: TaskContext): FileCopySettings {
  return ctx.manifest.pluginSettings<FileCopySettings>('file_copy') ?? { files: [] };
}

/** Base tasks that write files a user may want to replace; the copies come after them. */
const CONFIG_WRITERS = [
  'base/configure-locale',
  'base/configure-networking',
  'base/configure-sshd',
  'base/configure-timezone',
  'base/set-hostname',
  'base/write-fstab',
  'base/write-grub-defaults',
  'base/add-ssh-key-regeneration',
];
/** Base tasks that read files a user may copy (/etc/default/grub.d, unit files). */
const CONFIG_READERS = ['base/enable-units', 'base/install-grub', 'base/update-grub'];

export const checkSources = defineTask({
  id: 'file_copy/check-sources',
  phase: 'preparation',
  description: 'Check that the files to copy into the image exist',
  async run(ctx) {
    const missing: string[] = [];
    for (const entry of settings(ctx).files) {
      const src = sourcePath(ctx.manifest.file, entry.src);
      const info = await stat(src).catch(() => undefined);
      if (!info?.isFile() && !info?.isDirectory()) missing.push(`${entry.src} (${src})`);
    }
    if (missing.length > 0) {
      throw new BuildError(
        `plugins.file_copy: ${missing.length === 1 ? 'this source does' : 'these sources do'} not exist or ` +
          `are neither a file nor a directory: ${missing.join(', ')}`,
        'relative paths are relative to the directory of the manifest file',
      );
    }
  },
});

export const createDirectories = defineTask({
  id: 'file_copy/create-directories',
  phase: 'system-modification',
  description: 'Create the directories listed in file_copy.mkdirs',
  after: CONFIG_WRITERS,
  before: CONFIG_READERS,
  hostCommands: ['chroot'],
  async run(ctx) {
    const root = imageRoot(ctx);
    for (const entry of settings(ctx).mkdirs ?? []) {
      const dir = await resolveInImage(root, entry.dir);
      // 0755 is what `mkdir -p` under root's umask gave in bootstrap-vz; `permissions` changes it.
      await ctx.fs.mkdir(hostPath(root, dir), { mode: 0o755 });
      await applyOwnership(ctx, root, dir, entry, false);
    }
  },
});

export const copyFiles = defineTask({
  id: 'file_copy/copy-files',
  phase: 'system-modification',
  description: 'Copy files from the build host into the image',
  after: ['file_copy/create-directories', ...CONFIG_WRITERS],
  before: CONFIG_READERS,
  hostCommands: ['chroot'],
  async run(ctx) {
    const root = imageRoot(ctx);
    for (const entry of settings(ctx).files) {
      const src = sourcePath(ctx.manifest.file, entry.src);
      const copied = await copyIntoImage(ctx, root, src, entry.dst);
      ctx.log('info', `copied ${src} to ${copied.imagePath}${copied.directory ? ' (recursively)' : ''}`);
      await applyOwnership(ctx, root, copied.imagePath, entry, copied.directory);
    }
  },
});

/**
 * base/install-trusted-keys: copies `packages.trusted-keys` files (paths relative to the manifest)
 * into /etc/apt/trusted.gpg.d, named .asc or .gpg by their content so apt reads them.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { BuildError, imageRoot, type Task } from '../../api/index.js';
import { trustedKeyName } from './apt-config.js';

export const installTrustedKeys: Task = {
  id: 'base/install-trusted-keys',
  phase: 'package-installation',
  description: 'Installing trusted apt keys',
  async run(ctx) {
    const root = imageRoot(ctx);
    const dir = join(root, 'etc/apt/trusted.gpg.d');
    await ctx.fs.mkdir(dir);
    for (const key of ctx.manifest.data.packages?.['trusted-keys'] ?? []) {
      const path = resolve(dirname(ctx.manifest.file), key);
      const content = await readFile(path).catch((e: unknown) => {
        throw new BuildError(
          `cannot read trusted key ${path} (packages.trusted-keys): ${(e as Error).message}`,
        );
      });
      await ctx.fs.writeFile(join(dir, trustedKeyName(basename(path), content)), content, { mode: 0o644 });
    }
  },
};

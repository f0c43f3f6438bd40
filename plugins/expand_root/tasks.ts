/** The expand_root plugin's tasks: packages, the boot-time script and unit, and cloud-init's share. */
import { dirname, join } from 'node:path';
import {
  defineTask,
  ENABLED_UNITS,
  imageRoot,
  PACKAGES,
  VOLUME,
  type TaskContext,
} from '../../src/api/index.js';
import {
  CLOUD_INIT_CONFIG,
  CLOUD_INIT_DROP_IN,
  SCRIPT,
  SCRIPT_PATH,
  UNIT,
  UNIT_NAME,
  UNIT_PATH,
} from './boot-files.js';

export interface ExpandRootSettings {
  readonly filesystem_type: 'ext2' | 'ext3' | 'ext4' | 'xfs';
  readonly root_device: string;
  readonly root_partition: number;
}

function settings(ctx: TaskContext): ExpandRootSettings | undefined {
  return ctx.manifest.pluginSettings<ExpandRootSettings>('expand_root');
}

async function writeImageFile(
  ctx: TaskContext,
  imagePath: string,
  content: string,
  mode: number,
): Promise<void> {
  const file = join(imageRoot(ctx), imagePath);
  await ctx.fs.mkdir(dirname(file), { mode: 0o755 });
  await ctx.fs.writeFile(file, content, { mode });
}

export const addExpandRootPackages = defineTask({
  id: 'expand_root/add-packages',
  phase: 'preparation',
  description: 'Add growpart (cloud-guest-utils) and the filesystem tools to the packages',
  async run(ctx) {
    const packages = ctx.state.get(PACKAGES);
    // cloud-guest-utils brings growpart and its dependencies (fdisk's sfdisk, e2fsprogs).
    packages.add('cloud-guest-utils');
    packages.add(settings(ctx)?.filesystem_type === 'xfs' ? 'xfsprogs' : 'e2fsprogs');
  },
});

export const installExpandRoot = defineTask({
  id: 'expand_root/install-service',
  phase: 'system-modification',
  description: 'Install the expand-root script and the unit that runs it at boot',
  before: ['base/enable-units'],
  async run(ctx) {
    // root_partition is not needed at boot (the script finds the partition); it is checked against
    // the layout here so a manifest that disagrees with its own volume is at least told.
    const wanted = settings(ctx)?.root_partition;
    const planned = ctx.state.get(VOLUME)?.partitions.find((p) => p.name === 'root')?.number;
    if (wanted !== undefined && planned !== undefined && planned !== wanted) {
      ctx.log(
        'warn',
        `plugins.expand_root.root_partition is ${wanted}, but the root partition of this volume is number ${planned}; ` +
          'expand-root finds the partition at boot, so it grows partition ' +
          String(planned),
      );
    }
    await writeImageFile(ctx, SCRIPT_PATH, SCRIPT, 0o755);
    await writeImageFile(ctx, UNIT_PATH, UNIT, 0o644);
    ctx.state.get(ENABLED_UNITS).add(UNIT_NAME);
  },
});

export const disableCloudInitGrowpart = defineTask({
  id: 'expand_root/disable-cloud-init-growpart',
  phase: 'system-modification',
  description: "Turn off cloud-init's growpart and resizefs, which expand-root replaces",
  async run(ctx) {
    await writeImageFile(ctx, CLOUD_INIT_DROP_IN, CLOUD_INIT_CONFIG, 0o644);
  },
});

/**
 * A tmpfs on the workspace, mounted right after base/create-workspace made the directory and before
 * anything is written into it, and unmounted before base/delete-workspace removes the directory
 * (which it refuses while anything is mounted there). The image file is created in the workspace, so
 * it lives in RAM too: only its written blocks use memory, since it is sparse.
 */
import { defineTask, formatSize, parseSize, stateKey, type TaskContext } from '../../src/api/index.js';

export interface TmpfsWorkspaceSettings {
  readonly size?: string;
}

/** Whether this build's tmpfs is mounted, so the undo and the unmount task act only on ours. */
const MOUNTED = stateKey<boolean>('tmpfs_workspace/mounted', () => false);

/** `mount` argv. mode=0700 keeps the workspace private, as base/create-workspace made it (a tmpfs root defaults to 1777). */
export function mountArgv(workspace: string, sizeBytes?: number): string[] {
  const options = [...(sizeBytes === undefined ? [] : [`size=${sizeBytes}`]), 'mode=0700'];
  return ['mount', '-t', 'tmpfs', '-o', options.join(','), 'tmpfs', workspace];
}

async function unmount(ctx: TaskContext): Promise<void> {
  if (!ctx.state.get(MOUNTED)) return;
  await ctx.runner.run(['umount', ctx.workspace]);
  ctx.state.set(MOUNTED, false);
}

export const mountWorkspace = defineTask({
  id: 'tmpfs_workspace/mount-workspace',
  phase: 'preparation',
  description: 'Mount a tmpfs on the workspace (the build and the image file stay in RAM)',
  after: ['base/create-workspace'],
  before: ['base/plan-volume'],
  hostCommands: ['mount', 'umount'],
  async run(ctx) {
    const size = ctx.manifest.pluginSettings<TmpfsWorkspaceSettings>('tmpfs_workspace')?.size;
    const bytes = size === undefined ? undefined : parseSize(size);
    await ctx.runner.run(mountArgv(ctx.workspace, bytes));
    ctx.state.set(MOUNTED, true);
    ctx.log(
      'info',
      `workspace ${ctx.workspace} is a tmpfs (${bytes === undefined ? 'up to half the RAM' : `up to ${formatSize(bytes)}`}); the image file is built in RAM`,
    );
  },
  async undo(ctx) {
    await unmount(ctx);
  },
});

export const unmountWorkspace = defineTask({
  id: 'tmpfs_workspace/unmount-workspace',
  phase: 'cleaning',
  description: 'Unmount the workspace tmpfs',
  before: ['base/delete-workspace'],
  hostCommands: ['umount'],
  async run(ctx) {
    await unmount(ctx);
  },
});

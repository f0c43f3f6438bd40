/**
 * The per-run workspace `<bootstrapper.workspace>/<run id>` (bootstrap-vz's CreateWorkspace and
 * DeleteWorkspace). Everything a build keeps on the host lives under it, so removing it on success or
 * rollback leaves nothing behind; only the finished image is moved out of it, next to it.
 *
 * The workspace is journaled as a host resource (twice: `mounts`, what is mounted below it, and
 * `workspace`, the directory), so `bootstrap cleanup` finds what a SIGKILLed build left under it.
 */
import { BuildError, defineTask, HOST_JOURNAL_PLUGIN, type TaskContext } from '../../api/index.js';
import { findLeftoverMounts } from '../../volume/mounts.js';

export const createWorkspace = defineTask({
  id: 'base/create-workspace',
  phase: 'preparation',
  description: 'Create the workspace directory for this run',
  async run(ctx) {
    if (await ctx.fs.exists(ctx.workspace)) {
      throw new Error(`workspace ${ctx.workspace} already exists; another run with the same id?`);
    }
    for (const kind of ['workspace', 'mounts']) {
      await ctx.journal.intend({ plugin: HOST_JOURNAL_PLUGIN, kind, key: `host-${kind}` });
      await ctx.journal.created(`host-${kind}`, ctx.workspace);
    }
    await ctx.fs.mkdir(ctx.workspace, { mode: 0o700 });
  },
  async undo(ctx) {
    await removeWorkspace(ctx);
  },
});

export const deleteWorkspace = defineTask({
  id: 'base/delete-workspace',
  phase: 'cleaning',
  description: 'Delete the workspace directory',
  async run(ctx) {
    await removeWorkspace(ctx);
  },
});

/** Removes the workspace, refusing while anything is still mounted inside it. */
async function removeWorkspace(ctx: TaskContext): Promise<void> {
  if (!ctx.dryRun) {
    const mounted = await findLeftoverMounts(ctx.workspace);
    if (mounted.length > 0) {
      throw new BuildError(
        `not removing ${ctx.workspace}: still mounted inside it: ${mounted.join(', ')}`,
        `unmount them (umount ${mounted.join(' ')}) and remove the directory by hand`,
      );
    }
  }
  await ctx.fs.remove(ctx.workspace);
  for (const kind of ['mounts', 'workspace']) await ctx.journal.released(`host-${kind}`);
}

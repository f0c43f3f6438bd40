/**
 * System modification: update-grub in the chroot with temporary /dev/disk/by-uuid links (see
 * disk-links.ts), so grub.cfg boots `root=UUID=...`. The links are removed in `finally` and again by
 * `undo` (for an interrupt between the two). The generated grub.cfg is then checked: it must name the
 * root filesystem by UUID and contain no loop device or workspace path; otherwise the build fails here
 * rather than producing an image that cannot find its root.
 */
import { BuildError, type Task, type TaskContext } from '../../api/index.js';
import { withSpecialMounts } from '../apt/special-mounts.js';
import { formatLeak, LOOP_DEVICE, pathNeedle, scanForLeaks } from '../hygiene/scan-leaks.js';
import { imageRoot, inImage, requireVolume } from '../system/image-paths.js';
import { createDiskLinks, diskLinks, removeDiskLinks } from './disk-links.js';
import type { WithSpecialMounts } from './special-mounts.js';

export const GRUB_CFG = '/boot/grub/grub.cfg';

/** Problems with a generated grub.cfg; empty when it is fine. */
export function checkGrubConfig(
  text: string,
  opts: { rootUuid: string; buildPaths: readonly string[] },
): string[] {
  const needles = [LOOP_DEVICE, ...opts.buildPaths.map((p) => pathNeedle('build workspace path', p))];
  const problems = scanForLeaks(text, needles).map((leak) => formatLeak(GRUB_CFG, leak));
  if (!text.includes(`root=UUID=${opts.rootUuid}`)) {
    problems.push(`${GRUB_CFG}: no kernel line boots root=UUID=${opts.rootUuid}`);
  }
  return problems;
}

export function buildPaths(ctx: TaskContext, root: string): string[] {
  return [...new Set([ctx.workspace, root, ctx.manifest.data.bootstrapper.workspace])].filter(
    (p) => p !== '/' && p !== '',
  );
}

export function createUpdateGrubTask(deps: { withMounts: WithSpecialMounts; devDir?: string }): Task {
  const devDir = deps.devDir ?? '/dev';
  return {
    id: 'base/update-grub',
    phase: 'system-modification',
    description: 'Generate grub.cfg',
    after: ['base/install-grub', 'base/write-grub-defaults'],
    hostCommands: ['chroot'],
    async run(ctx) {
      const root = imageRoot(ctx);
      const volume = requireVolume(ctx);
      const rootPartition = volume.partitions.find((p) => p.name === 'root');
      if (rootPartition?.uuid === undefined) throw new Error('the root partition has no filesystem UUID');
      try {
        await createDiskLinks(ctx, diskLinks(volume, devDir), devDir);
        await deps.withMounts(ctx, root, () => ctx.runner.chroot(root, ['update-grub']));
      } finally {
        await removeDiskLinks(ctx, devDir);
      }
      if (ctx.dryRun) return;
      const text = await ctx.fs.readFile(inImage(root, GRUB_CFG));
      const problems = checkGrubConfig(text, {
        rootUuid: rootPartition.uuid,
        buildPaths: buildPaths(ctx, root),
      });
      if (problems.length > 0) {
        throw new BuildError(
          `grub.cfg would not boot on another machine:\n${problems.join('\n')}`,
          'update-grub could not see /dev/disk/by-uuid/<root uuid>; check that /dev is bind-mounted into the chroot',
        );
      }
    },
    async undo(ctx) {
      await removeDiskLinks(ctx, devDir);
    },
  };
}

export const updateGrub: Task = createUpdateGrubTask({ withMounts: withSpecialMounts });

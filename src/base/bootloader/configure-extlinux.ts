/**
 * System modification: /boot/extlinux/extlinux.conf from a template (bootstrap-vz
 * ConfigureExtlinuxJessie). The entry boots /boot/vmlinuz and /boot/initrd.img, relative symlinks to
 * the installed kernel (extlinux follows relative symlinks within its filesystem), and
 * `link_in_boot = yes` in /etc/kernel-img.conf makes kernel upgrades move those links, so the image
 * keeps booting the newest kernel. With a separate /boot partition, paths are relative to that
 * filesystem, so the /boot prefix is dropped. The root is named by UUID and the serial console is on.
 */
import { BuildError, KERNEL_CMDLINE, type Task, type VolumeInfo } from '../../api/index.js';
import { listDir } from '../hygiene/list-dir.js';
import { imageRoot, inImage, requireVolume } from '../system/image-paths.js';
import { renderTemplate } from '../system/render-template.js';

export const EXTLINUX_CONF = '/boot/extlinux/extlinux.conf';

export interface ExtlinuxConfigInput {
  readonly rootUuid: string;
  readonly separateBoot: boolean;
  readonly cmdline: readonly string[];
}

export function extlinuxInput(volume: VolumeInfo, cmdline: readonly string[]): ExtlinuxConfigInput {
  const root = volume.partitions.find((p) => p.name === 'root');
  if (root?.uuid === undefined) throw new Error('the root partition has no filesystem UUID');
  const separateBoot = volume.partitions.some((p) => p.mountpoint === '/boot');
  return { rootUuid: root.uuid, separateBoot, cmdline };
}

export function renderExtlinuxConfig(input: ExtlinuxConfigInput): string {
  const serial = input.cmdline.some((a) => a.startsWith('console=ttyS0'));
  return renderTemplate('bootloader/extlinux.conf.njk', {
    prefix: input.separateBoot ? '' : '/boot',
    rootUuid: input.rootUuid,
    append: ['ro', ...input.cmdline].join(' '),
    serial,
  });
}

/** The newest kernel version installed in /boot (`vmlinuz-<version>`). */
export function newestKernel(fileNames: readonly string[]): string | undefined {
  const versions = fileNames.filter((n) => /^vmlinuz-./.test(n)).map((n) => n.slice('vmlinuz-'.length));
  return versions.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).at(-1);
}

/** /etc/kernel-img.conf with `link_in_boot = yes`, replacing an existing setting. */
export function withLinkInBoot(current: string): string {
  const lines =
    current === ''
      ? []
      : current
          .replace(/\n$/, '')
          .split('\n')
          .filter((l) => !/^\s*link_in_boot\s*=/.test(l));
  return `${[...lines, 'link_in_boot = yes'].join('\n')}\n`;
}

export const configureExtlinux: Task = {
  id: 'base/configure-extlinux',
  phase: 'system-modification',
  description: 'Write the extlinux configuration',
  after: ['base/write-fstab'],
  async run(ctx) {
    const root = imageRoot(ctx);
    const input = extlinuxInput(requireVolume(ctx), ctx.state.get(KERNEL_CMDLINE));
    const kernel = newestKernel((await listDir(inImage(root, '/boot'))).map((e) => e.name));
    if (kernel === undefined && !ctx.dryRun)
      throw new BuildError('no kernel (/boot/vmlinuz-*) is installed in the image');
    if (kernel !== undefined) {
      for (const [link, target] of [
        ['/boot/vmlinuz', `vmlinuz-${kernel}`],
        ['/boot/initrd.img', `initrd.img-${kernel}`],
      ] as const) {
        await ctx.fs.remove(inImage(root, link));
        await ctx.fs.symlink(target, inImage(root, link));
      }
    }
    const kernelImg = inImage(root, '/etc/kernel-img.conf');
    const current = (await ctx.fs.exists(kernelImg)) ? await ctx.fs.readFile(kernelImg) : '';
    await ctx.fs.writeFile(kernelImg, withLinkInBoot(current), { mode: 0o644 });
    await ctx.fs.mkdir(inImage(root, '/boot/extlinux'), { mode: 0o755 });
    await ctx.fs.writeFile(inImage(root, EXTLINUX_CONF), renderExtlinuxConfig(input), { mode: 0o644 });
  },
};

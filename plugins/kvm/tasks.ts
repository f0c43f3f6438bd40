/**
 * The kvm provider's own tasks. The volume, bootstrap, configuration and the export of the image file
 * are the base plugin's; kvm adds the virtio modules to the initramfs and picks the console.
 */
import { defineTask, imageRoot, KERNEL_CMDLINE } from '../../src/api/index.js';

/**
 * bootstrap-vz's VirtIO task read the module list from `system.virtio` while its schema put it under
 * `provider.virtio`, and joined an absolute path onto the root, writing the HOST's initramfs modules
 * file. Here the list comes from `provider.virtio` and lands in the image.
 */
export const addVirtioModules = defineTask({
  id: 'kvm/add-virtio-modules',
  phase: 'system-modification',
  description: 'Add the virtio modules to the initramfs',
  after: ['base/configure-locale'],
  async run(ctx) {
    const root = imageRoot(ctx);
    const modules = (ctx.manifest.data.provider.virtio as readonly string[] | undefined) ?? [];
    const file = `${root}/etc/initramfs-tools/modules`;
    const existing = (await ctx.fs.exists(file)) ? await ctx.fs.readFile(file) : '';
    const have = new Set(existing.split('\n').map((l) => l.trim()));
    const add = modules.filter((m) => !have.has(m));
    if (add.length === 0) return;
    await ctx.fs.writeFile(
      file,
      existing + (existing.endsWith('\n') || existing === '' ? '' : '\n') + add.join('\n') + '\n',
    );
    await ctx.runner.chroot(root, ['update-initramfs', '-u', '-k', 'all']);
  },
});

/** `provider.console: virtual` puts the kernel console on the first virtual terminal besides serial. */
export const setVirtualConsole = defineTask({
  id: 'kvm/set-virtual-console',
  phase: 'preparation',
  description: 'Send kernel messages to the virtual console as well as the serial one',
  async run(ctx) {
    const cmdline = ctx.state.get(KERNEL_CMDLINE);
    if (!cmdline.includes('console=tty0')) cmdline.unshift('console=tty0');
  },
});

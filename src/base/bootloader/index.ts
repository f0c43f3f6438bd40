/**
 * Bootloader tasks: packages and console arguments (preparation), GRUB defaults, grub-install and
 * update-grub, or the extlinux configuration and installation (system modification). The lead wires
 * `selectBootloaderTasks` into the base plugin and lists `bootloaderTasks` in its catalogue.
 * `pvgrub` belongs to the EC2 provider; `none` installs nothing.
 */
import type { Manifest, Task } from '../../api/index.js';
import { addBootloaderPackages } from './add-bootloader-packages.js';
import { addConsoleCmdline } from './add-console-cmdline.js';
import { configureExtlinux } from './configure-extlinux.js';
import { initGrubDefaults } from './init-grub-defaults.js';
import { installExtlinux } from './install-extlinux.js';
import { installGrub } from './install-grub.js';
import { updateGrub } from './update-grub.js';
import { writeGrubDefaults } from './write-grub-defaults.js';

export const bootloaderTasks: readonly Task[] = [
  addBootloaderPackages,
  addConsoleCmdline,
  initGrubDefaults,
  writeGrubDefaults,
  installGrub,
  updateGrub,
  configureExtlinux,
  installExtlinux,
];

export function selectBootloaderTasks(manifest: Manifest): Task[] {
  switch (manifest.data.system.bootloader) {
    case 'grub':
      return [
        addBootloaderPackages,
        addConsoleCmdline,
        initGrubDefaults,
        writeGrubDefaults,
        installGrub,
        updateGrub,
      ];
    case 'extlinux':
      return [addBootloaderPackages, addConsoleCmdline, configureExtlinux, installExtlinux];
    case 'pvgrub':
    case 'none':
      return [];
  }
}

export { bootMode, grubTargets } from './boot-mode.js';
export { bootloaderPackages } from './bootloader-packages.js';
export { grubInstallCommands } from './grub-install-commands.js';
export { renderGrubDefaults } from './write-grub-defaults.js';
export { checkGrubConfig } from './update-grub.js';
export { renderExtlinuxConfig } from './configure-extlinux.js';

/** Preparation: the bootloader packages (see bootloader-packages.ts for the choice per boot mode). */
import { PACKAGES, type Task } from '../../api/index.js';
import { bootloaderPackages } from './bootloader-packages.js';

export const addBootloaderPackages: Task = {
  id: 'base/add-bootloader-packages',
  phase: 'preparation',
  description: 'Add the bootloader packages',
  async run(ctx) {
    const packages = ctx.state.get(PACKAGES);
    for (const p of bootloaderPackages(ctx.manifest).packages) packages.add(p);
  },
};

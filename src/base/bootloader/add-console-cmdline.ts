/**
 * Preparation: kernel console arguments. Output goes to the screen and the first serial port, the serial
 * port last so it is /dev/console (what EC2's "get system log" and `qemu -nographic` show). arm64 boards
 * and QEMU's virt machine call their UART ttyAMA0, Graviton calls it ttyS0: both are listed and the
 * kernel skips the one that does not exist. systemd-getty-generator starts a serial getty on every
 * active kernel console, so no getty unit needs enabling.
 */
import { KERNEL_CMDLINE, type Architecture, type Task } from '../../api/index.js';

export function consoleArguments(architecture: Architecture): string[] {
  const serial =
    architecture === 'arm64' ? ['console=ttyAMA0,115200', 'console=ttyS0,115200'] : ['console=ttyS0,115200'];
  return ['console=tty0', ...serial];
}

export const addConsoleCmdline: Task = {
  id: 'base/add-console-cmdline',
  phase: 'preparation',
  description: 'Send kernel and login console output to the serial port',
  async run(ctx) {
    const cmdline = ctx.state.get(KERNEL_CMDLINE);
    for (const arg of consoleArguments(ctx.manifest.data.system.architecture)) {
      if (!cmdline.includes(arg)) cmdline.push(arg);
    }
  },
};

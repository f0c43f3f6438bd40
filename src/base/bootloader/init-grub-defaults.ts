/**
 * Preparation: the /etc/default/grub values (bootstrap-vz InitGrubConfig). Other tasks edit the map
 * during preparation or system modification; base/write-grub-defaults writes it.
 * GRUB_TIMEOUT=1 leaves a serial console user a moment to pick an entry without slowing boots;
 * os-prober is off because it would scan the build host's disks; Linux is booted by UUID (the default,
 * set explicitly so nothing upstream flips it).
 */
import { GRUB_DEFAULTS, type Task } from '../../api/index.js';

export const DEFAULT_GRUB_VALUES: readonly (readonly [string, string])[] = [
  ['GRUB_TIMEOUT', '1'],
  // Debian's default is `quiet`, which hides the kernel messages a serial log is read for.
  ['GRUB_CMDLINE_LINUX_DEFAULT', ''],
  ['GRUB_TERMINAL', 'console serial'],
  ['GRUB_SERIAL_COMMAND', 'serial --speed=115200'],
  ['GRUB_DISABLE_OS_PROBER', 'true'],
  ['GRUB_DISABLE_LINUX_UUID', 'false'],
  ['GRUB_DISABLE_RECOVERY', 'true'],
];

export const initGrubDefaults: Task = {
  id: 'base/init-grub-defaults',
  phase: 'preparation',
  description: 'Set the default GRUB configuration values',
  async run(ctx) {
    const values = ctx.state.get(GRUB_DEFAULTS);
    // Values another task set before us win: this only fills in what is missing.
    for (const [key, value] of DEFAULT_GRUB_VALUES) if (!values.has(key)) values.set(key, value);
  },
};

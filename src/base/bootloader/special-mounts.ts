/**
 * The bootloader tasks run grub-install, update-grub and extlinux in the chroot with /proc, /sys, /dev
 * and /dev/pts mounted (grub-probe reads /proc/self/mountinfo and opens the loop device nodes). The
 * helper that mounts them belongs to the apt area; it is passed in through this type so unit tests can
 * substitute a pass-through.
 */
import type { TaskContext } from '../../api/index.js';

export type WithSpecialMounts = <T>(ctx: TaskContext, root: string, fn: () => Promise<T>) => Promise<T>;

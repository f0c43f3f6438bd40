/**
 * Provider `kvm`: a disk image file for QEMU/KVM (raw, or converted to qcow2, vmdk or vdi at the end).
 * The base plugin builds and exports the image; this provider adds what is specific to KVM guests.
 */
import { definePlugin } from '../../src/api/index.js';
import { KVM_BACKINGS, manifestSchema, schema } from './schema.js';
import { addVirtioModules, setVirtualConsole } from './tasks.js';

export const kvmProvider = definePlugin({
  name: 'kvm',
  kind: 'provider',
  description: 'A disk image file for QEMU/KVM: raw, qcow2, vmdk or vdi',
  schema,
  manifestSchema,
  backings: KVM_BACKINGS,
  tasks: [addVirtioModules, setVirtualConsole],
  check(manifest, report) {
    const { partitions } = manifest.data.volume;
    // bootstrap-vz: "Only extlinux can boot from unpartitioned disks".
    if (partitions.type === 'none' && manifest.data.system.bootloader === 'grub') {
      report.error(
        '/system/bootloader',
        'grub cannot boot an unpartitioned volume',
        'use extlinux, or volume.partitions.type gpt or msdos',
      );
    }
  },
  resolveTasks(manifest, tasks) {
    const virtio = manifest.data.provider.virtio as readonly string[] | undefined;
    if (virtio && virtio.length > 0) tasks.add(addVirtioModules);
    if (manifest.data.provider.console === 'virtual') tasks.add(setVirtualConsole);
  },
});

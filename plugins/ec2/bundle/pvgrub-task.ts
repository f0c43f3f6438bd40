/**
 * `ec2/configure-pvgrub`: the boot configuration of a paravirtual AMI, which every S3 (instance-store)
 * AMI is. Planned, so `bootstrap plan` shows the step, but `unavailable`, so `bootstrap build` refuses
 * such a manifest before any work (exit 2) instead of publishing an AMI nobody has seen boot:
 *
 * - PV-GRUB (the AKI kernel EC2 starts for paravirtual AMIs) reads /boot/grub/menu.lst and boots only
 *   as a Xen PV guest. These build and CI hosts have QEMU/TCG and no Xen, so the project's rule that
 *   every bootloader is boot-tested (src/boottest/) cannot be met for it.
 * - AWS runs paravirtual and instance-store AMIs only on previous-generation instance types (C1, C3,
 *   M1-M3, ...; aws.md section 3), and the PV-GRUB AKIs are per region ids that are no longer published.
 *
 * The bundle itself (write, upload, register from the location, rollback, cleanup) is implemented and
 * tested against moto; what is missing is only this step. See plugins/ec2/README.md.
 */
import { BuildError, defineTask } from '../../../src/api/index.js';

const WHY =
  'paravirtual (pvm) AMIs boot through PV-GRUB under Xen, which cannot be tested on these build hosts ' +
  '(QEMU only), so this version does not write /boot/grub/menu.lst; use virtualization hvm with ' +
  'volume.backing ebs or raw (plugins/ec2/README.md, "S3 instance-store bundles")';

export const configurePvgrub = defineTask({
  id: 'ec2/configure-pvgrub',
  phase: 'system-modification',
  description: 'Write /boot/grub/menu.lst for PV-GRUB (paravirtual AMIs)',
  unavailable: WHY,
  async run() {
    throw new BuildError(`ec2/configure-pvgrub: ${WHY}`);
  },
});

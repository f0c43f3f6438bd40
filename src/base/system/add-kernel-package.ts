/**
 * Preparation: choose the kernel package. Debian's cloud kernel (linux-image-cloud-<arch>) is built for
 * virtual machines: it has virtio, Xen, ENA and NVMe drivers and boots in QEMU, so it serves both EC2
 * and KVM and is much smaller than the generic kernel. It exists for amd64 since buster (10) and for
 * arm64 since bullseye (11); older releases and i386 get the generic kernel. VirtualBox gets the
 * generic kernel too, since the cloud kernel leaves out drivers for emulated desktop hardware.
 * A `provider.kernel` string overrides the choice, and a manifest that already lists a linux-image
 * package in packages.install gets no second kernel.
 */
import { DEBIAN, PACKAGES, releaseAtLeast, type Manifest, type Task } from '../../api/index.js';

/** Providers whose machines are cloud-style VMs served well by the cloud kernel. */
const CLOUD_PROVIDERS = new Set(['ec2', 'kvm', 'gce', 'azure', 'oracle']);

/** The kernel package for the manifest, or undefined when packages.install names one already. */
export function kernelPackage(manifest: Manifest): string | undefined {
  const { data } = manifest;
  const explicit = data.provider['kernel'];
  if (typeof explicit === 'string' && explicit !== '') return explicit;
  if ((data.packages?.install ?? []).some((p) => /^linux-image-/.test(p))) return undefined;

  const cloud = CLOUD_PROVIDERS.has(data.provider.name);
  switch (data.system.architecture) {
    case 'amd64':
      return cloud && releaseAtLeast(manifest.release, DEBIAN.buster)
        ? 'linux-image-cloud-amd64'
        : 'linux-image-amd64';
    case 'arm64':
      return cloud && releaseAtLeast(manifest.release, DEBIAN.bullseye)
        ? 'linux-image-cloud-arm64'
        : 'linux-image-arm64';
    case 'i386':
      // The 686-pae flavour runs on every x86 machine made in the last 15 years and sees >4 GiB.
      return 'linux-image-686-pae';
  }
}

export const addKernelPackage: Task = {
  id: 'base/add-kernel-package',
  phase: 'preparation',
  description: 'Add the kernel package',
  async run(ctx) {
    const pkg = kernelPackage(ctx.manifest);
    if (pkg === undefined) {
      ctx.log('info', 'no kernel package added (packages.install names one)');
      return;
    }
    ctx.state.get(PACKAGES).add(pkg);
  },
};

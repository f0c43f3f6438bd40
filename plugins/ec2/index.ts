/**
 * Provider `ec2`: an Amazon Machine Image. `volume.backing` picks the route: `ebs` builds into a new EBS
 * volume on an EC2 build host, `raw` builds an image file anywhere and uploads it as a snapshot, `s3`
 * bundles an instance-store image. The rules below are bootstrap-vz's (providers/ec2/__init__.py).
 */
import { definePlugin, providerBacking } from '../../src/api/index.js';
import { EC2_BACKINGS, manifestSchema, schema } from './schema.js';
import * as t from './tasks.js';
import { EC2_CLEANERS } from './aws/cleaners.js';
import { s3ObjectCleaner } from './bundle/s3-object-cleaner.js';
import { GUEST_TASKS, selectGuestTasks } from './guest/index.js';

export const ec2Provider = definePlugin({
  name: 'ec2',
  kind: 'provider',
  description:
    'An Amazon Machine Image, EBS-backed (built on EC2, or uploaded from anywhere) or instance-store',
  schema,
  manifestSchema,
  backings: EC2_BACKINGS,
  tasks: [...t.EC2_TASKS, ...GUEST_TASKS],
  // What `bootstrap cleanup` deletes after a crash: AMIs, then snapshots, then volumes, then S3 bundle objects.
  cleaners: [...EC2_CLEANERS, s3ObjectCleaner],
  check(manifest, report) {
    const { provider, volume, system } = manifest.data;
    const virtualization = provider.virtualization as string | undefined;
    if (virtualization === 'pvm' && system.bootloader !== 'pvgrub') {
      report.error(
        '/system/bootloader',
        'paravirtual (pvm) AMIs boot with pvgrub',
        'set system.bootloader: pvgrub',
      );
    }
    if (system.architecture === 'arm64' && virtualization !== 'hvm') {
      report.error(
        '/provider/virtualization',
        'arm64 (Graviton) AMIs are hvm only',
        'set provider.virtualization: hvm (they boot with UEFI, system.boot_mode uefi)',
      );
    }
    if (virtualization === 'hvm' && volume.backing === 's3') {
      report.error(
        '/volume/backing',
        'instance-store (s3) AMIs must be paravirtual (pvm) here',
        'use backing ebs or raw for hvm',
      );
    }
    if (volume.backing === 's3' && volume.partitions.type !== 'none') {
      report.error(
        '/volume/partitions/type',
        'S3 bundles need an unpartitioned volume',
        'set volume.partitions.type: none',
      );
    }
    if (provider.encrypted && volume.backing === 's3') {
      report.error('/provider/encrypted', 'encryption is only possible for EBS-backed AMIs');
    }
    if (provider['amzn-driver-version'] !== undefined) {
      // bootstrap-vz built Amazon's ENA driver from GitHub with DKMS; that download broke builds
      // (bootstrap-vz#402) and Debian's cloud kernel has ena and ixgbevf in-tree (ec2/guest-add-nic-drivers).
      report.warn(
        '/provider/amzn-driver-version',
        "ignored: the ENA and ixgbevf drivers come from Debian's kernel, nothing is downloaded",
        'remove the key',
      );
    }
    if (provider.enhanced_networking === 'simple' && virtualization !== 'hvm') {
      report.error('/provider/enhanced_networking', 'enhanced networking needs hvm virtualization');
    }
    if (system.bootloader === 'pvgrub' && virtualization !== 'pvm') {
      report.error('/system/bootloader', 'pvgrub only boots paravirtual (pvm) AMIs');
    }
    if (provider.publish === false && volume.backing !== 'raw') {
      report.error(
        '/provider/publish',
        `publish: false needs volume.backing raw (${String(volume.backing)} builds in AWS)`,
        'set volume.backing: raw to build the image file only',
      );
    }
  },
  resolveTasks(manifest, tasks) {
    const backing = providerBacking(manifest, EC2_BACKINGS);
    // Inside the image (drivers, time, init scripts): the same for every backing and for local builds.
    tasks.add(...selectGuestTasks(manifest));
    // Planned but unavailable: a pvgrub manifest plans, and `build` refuses it before any work.
    if (manifest.data.system.bootloader === 'pvgrub') tasks.add(t.configurePvgrub);
    // A local build of the EC2 image: the image file is the product, nothing talks to AWS.
    if (manifest.data.provider.publish === false) return;
    tasks.add(t.connect, t.checkAmiName, t.registerImage);
    switch (backing) {
      case 'ebs':
        tasks.add(
          t.getInstanceIdentity,
          t.createVolume,
          t.attachVolume,
          t.detachVolume,
          t.snapshotVolume,
          t.deleteVolume,
        );
        break;
      case 's3':
        tasks.add(t.bundleImage);
        break;
      case 'raw':
        tasks.add(t.uploadSnapshot);
        break;
      default:
        backing satisfies never;
    }
  },
});

/**
 * The EC2 provider's task catalogue: one task object per step, implemented under aws/ (connection,
 * snapshot upload, registration), ebs-host/ (EBS backing) and bundle/ (S3 backing).
 */
import { defineTask, type Task } from '../../src/api/index.js';
import { bundleImage } from './bundle/bundle-image-task.js';
import { configurePvgrub } from './bundle/pvgrub-task.js';
import { checkAmiNameIsFree } from './aws/check-ami-name.js';
import { connectToAws } from './aws/connect.js';
import { deregisterRootImage, registerRootImage } from './aws/register-image.js';
import { deleteRootSnapshot, uploadRootSnapshot } from './aws/upload-snapshot.js';
import * as ebs from './ebs-host/ebs-tasks.js';

export const getInstanceIdentity = defineTask({
  id: 'ec2/get-instance-identity',
  phase: 'preparation',
  description: 'Read the build instance id, region and zone from the instance metadata service (IMDSv2)',
  run: ebs.readInstanceIdentity,
});

export const connect = defineTask({
  id: 'ec2/connect',
  phase: 'preparation',
  description: 'Find AWS credentials and check them (STS GetCallerIdentity)',
  after: ['ec2/get-instance-identity'],
  cloudCalls: ['sts GetCallerIdentity'],
  run: connectToAws,
});

export const checkAmiName = defineTask({
  id: 'ec2/check-ami-name',
  phase: 'preparation',
  description: 'Refuse early when an AMI with this name already exists',
  after: ['ec2/connect'],
  cloudCalls: ['ec2 DescribeImages (owner self, name)'],
  run: checkAmiNameIsFree,
});

export const createVolume = defineTask({
  id: 'ec2/create-volume',
  phase: 'volume-creation',
  description: 'Create a gp3 EBS volume in the build instance zone',
  cloudCalls: ['ec2 CreateVolume (tagged)', 'ec2 DescribeVolumes (until available)'],
  run: ebs.createBuildVolume,
  undo: ebs.deleteBuildVolume,
});

export const attachVolume = defineTask({
  id: 'ec2/attach-volume',
  phase: 'volume-creation',
  description: 'Attach the EBS volume to the build instance at a free device name and find its block device',
  after: ['ec2/create-volume'],
  cloudCalls: [
    'ec2 DescribeInstances (device names in use)',
    'ec2 AttachVolume',
    'ec2 DescribeVolumes (until attached)',
  ],
  run: ebs.attachBuildVolume,
  undo: ebs.undoAttachBuildVolume,
});

export const detachVolume = defineTask({
  id: 'ec2/detach-volume',
  phase: 'volume-unmounting',
  description: 'Detach the EBS volume',
  after: ['base/unmount-volume'],
  cloudCalls: ['ec2 DescribeVolumes', 'ec2 DetachVolume', 'ec2 DescribeVolumes (until available)'],
  run: ebs.detachBuildVolume,
});

export const snapshotVolume = defineTask({
  id: 'ec2/snapshot-volume',
  phase: 'image-registration',
  description: 'Snapshot the EBS volume and wait for completion',
  cloudCalls: ['ec2 CreateSnapshot (tagged)', 'ec2 DescribeSnapshots (until completed)'],
  run: ebs.snapshotBuildVolume,
  undo: ebs.deleteVolumeSnapshot,
});

export const uploadSnapshot = defineTask({
  id: 'ec2/upload-snapshot',
  phase: 'image-registration',
  description: 'Upload the image file into a new EBS snapshot with the EBS direct APIs',
  after: ['base/export-image'],
  cloudCalls: [
    'ebs StartSnapshot',
    'ebs PutSnapshotBlock (each non-zero 512 KiB block)',
    'ebs CompleteSnapshot',
    'ec2 DescribeSnapshots (until completed)',
  ],
  run: uploadRootSnapshot,
  undo: deleteRootSnapshot,
});

export const registerImage = defineTask({
  id: 'ec2/register-image',
  phase: 'image-registration',
  description: 'Register the AMI from the snapshot and tag it',
  after: ['ec2/snapshot-volume', 'ec2/upload-snapshot'],
  cloudCalls: ['ec2 RegisterImage', 'ec2 DescribeImages (until available)', 'ec2 CreateTags (snapshot)'],
  run: registerRootImage,
  undo: deregisterRootImage,
});

export const deleteVolume = defineTask({
  id: 'ec2/delete-volume',
  phase: 'cleaning',
  description: 'Delete the EBS volume',
  cloudCalls: ['ec2 DescribeVolumes', 'ec2 DeleteVolume'],
  run: ebs.deleteBuildVolume,
});

// S3 backing: the instance-store bundle, written and uploaded by bundle/ (bundle-image-task.ts), and
// the PV-GRUB step paravirtual AMIs need, planned but unavailable (bundle/pvgrub-task.ts says why).
export { bundleImage, configurePvgrub };

export const EC2_TASKS: readonly Task[] = [
  getInstanceIdentity,
  connect,
  checkAmiName,
  createVolume,
  attachVolume,
  detachVolume,
  snapshotVolume,
  uploadSnapshot,
  registerImage,
  deleteVolume,
  bundleImage,
  configurePvgrub,
];

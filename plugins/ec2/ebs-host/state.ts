/** Build state of the EBS route: the build instance, and the volume from creation to deletion. */
import { stateKey } from '../../../src/api/index.js';
import type { DeviceLock } from './device-lock.js';
import type { InstanceIdentity } from './imds-client.js';

export const BUILD_INSTANCE = stateKey<InstanceIdentity | undefined>('ec2/build-instance', () => undefined);

export interface BuildVolume {
  /** Journal key (and CreateVolume client token). */
  readonly key: string;
  readonly sizeGiB: number;
  volumeId?: string;
  /** The device name lock, held from AttachVolume until the volume is detached. */
  lock?: DeviceLock;
  /** The name given to AttachVolume, e.g. /dev/sdf. */
  attachedAs?: string;
  /** The host's block device for it, e.g. /dev/nvme1n1. */
  device?: string;
}

export const BUILD_VOLUME = stateKey<BuildVolume | undefined>('ec2/build-volume', () => undefined);

/** The snapshot ec2/snapshot-volume made, for its undo. */
export const VOLUME_SNAPSHOT = stateKey<{ key: string; snapshotId?: string } | undefined>(
  'ec2/volume-snapshot',
  () => undefined,
);

/**
 * Where this host's /dev, /sys and lock directory are. Overridable for containers that mount the
 * host's /dev or /sys elsewhere, and for the tests, which play the hypervisor in a temporary tree.
 */
export function hostRoots(env: NodeJS.ProcessEnv = process.env): {
  devRoot: string;
  sysRoot: string;
  lockDir?: string;
} {
  return {
    devRoot: env.BOOTSTRAP_EBS_DEV_ROOT ?? '/dev',
    sysRoot: env.BOOTSTRAP_EBS_SYS_ROOT ?? '/sys',
    ...(env.BOOTSTRAP_EBS_LOCK_DIR ? { lockDir: env.BOOTSTRAP_EBS_LOCK_DIR } : {}),
  };
}

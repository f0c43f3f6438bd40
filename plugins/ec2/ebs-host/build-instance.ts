/**
 * The EBS route's view of the build instance, handed to its tasks through the context like the AWS
 * clients (src/api/cloud-clients.ts): its identity from the instance metadata service, a free device
 * name under a lock, and the block device that appears for an attached volume. In a dry run, which runs
 * anywhere, placeholders stand in: the tasks run the same code and the AWS calls they make are
 * recorded with the parameters a build on EC2 would send.
 */
import type { CloudClientKind } from '../../../src/api/index.js';
import { waitForDevice } from './device-discovery.js';
import type { DeviceLock } from './device-lock.js';
import { allocateDeviceName } from './device-names.js';
import { ImdsClient, type InstanceIdentity } from './imds-client.js';
import { hostRoots } from './state.js';

/** After AttachVolume reports attached, the kernel shows the disk within seconds. */
const DEVICE_TIMEOUT_MS = 120_000;

export interface BuildInstance {
  identity(signal: AbortSignal): Promise<InstanceIdentity>;
  /** A device name no mapping and no other build uses, locked until released. */
  allocateDeviceName(mapped: readonly string[]): Promise<DeviceLock>;
  /** The host's block device for the attached volume (/dev/nvme1n1, /dev/xvdf). */
  waitForDevice(volumeId: string, requestedName: string, signal: AbortSignal): Promise<string>;
}

export const BUILD_INSTANCE_HOST: CloudClientKind<BuildInstance> = {
  name: 'ec2-build-instance',
  connect: async () => {
    const roots = hostRoots();
    return {
      identity: (signal) => new ImdsClient({ signal }).identity(),
      allocateDeviceName: (mapped) =>
        allocateDeviceName({
          mapped,
          devRoot: roots.devRoot,
          ...(roots.lockDir ? { lockDir: roots.lockDir } : {}),
        }),
      waitForDevice: (volumeId, requestedName, signal) =>
        waitForDevice({
          volumeId,
          requestedName,
          devRoot: roots.devRoot,
          sysRoot: roots.sysRoot,
          timeoutMs: DEVICE_TIMEOUT_MS,
          signal,
        }),
    };
  },
  record: async (ctx) => {
    const region = (ctx.manifest.data.provider as { region?: string }).region ?? process.env.AWS_REGION;
    return {
      identity: async () => ({
        instanceId: '<build instance>',
        region: region ?? '<build instance region>',
        availabilityZone: `${region ?? '<build instance region>'}<zone>`,
      }),
      allocateDeviceName: async () => ({ name: 'sdf', path: '<lock>', release: async () => undefined }),
      waitForDevice: async () => '/dev/xvdf',
    };
  },
};

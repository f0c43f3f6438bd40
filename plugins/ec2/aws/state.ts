/**
 * Build state shared by the EC2 tasks of every backing. Each route fills the key its register step
 * reads: raw backing (ec2/upload-snapshot) and EBS backing (ec2/snapshot-volume) set the root
 * snapshot, S3 backing (ec2/bundle-image) the image location; ec2/register-image serves all three.
 */
import { stateKey } from '../../../src/api/index.js';

/**
 * The region found by a step that knows better than the manifest or the SDK config (the EBS route
 * reads it from the build instance's metadata). ec2/connect uses it when provider.region is unset.
 */
export const AWS_REGION_HINT = stateKey<string | undefined>('ec2/region-hint', () => undefined);

/** The account id STS reported (the S3 bundle manifest and launch permissions need it). */
export const AWS_ACCOUNT_ID = stateKey<string | undefined>('ec2/account-id', () => undefined);

export interface RootSnapshot {
  readonly snapshotId: string;
  /** Size of the volume the snapshot holds, whole GiB: the AMI's root mapping size. */
  readonly volumeSizeGiB: number;
}

/** The root snapshot the AMI is registered from (raw and EBS backings). */
export const ROOT_SNAPSHOT = stateKey<RootSnapshot | undefined>('ec2/root-snapshot', () => undefined);

/** S3 backing: `bucket/prefix.manifest.xml` of the uploaded bundle, RegisterImage's ImageLocation. */
export const IMAGE_LOCATION = stateKey<string | undefined>('ec2/image-location', () => undefined);

export interface RegisteredImage {
  readonly imageId: string;
  readonly region: string;
  readonly name: string;
  readonly snapshotId?: string;
}

/** The AMI ec2/register-image registered (ec2_publish copies and shares it). */
export const REGISTERED_IMAGE = stateKey<RegisteredImage | undefined>(
  'ec2/registered-image',
  () => undefined,
);

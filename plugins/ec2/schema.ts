/**
 * Schemas of the `ec2` provider, ported from bootstrap-vz's bootstrapvz/providers/ec2/manifest-schema.yml
 * and manifest-schema-s3.yml (andsens/bootstrap-vz at fcdc699) and the provider's README, plus keys this
 * project adds (each description says "Added").
 *
 * Upstream quirks, kept or fixed on purpose:
 * - Upstream's S3 schema had an enum of 13 regions that went stale as AWS added regions; a region is
 *   checked by its shape here instead.
 * - The README's example puts `profile` under `credentials` while the code read `provider.profile`; both
 *   are accepted.
 * - The `provider` section was open upstream; it is closed here so typos are caught.
 */
import type { Backing, JsonSchema } from '../../src/api/index.js';

/** The backings this provider offers: a new EBS volume, an instance-store bundle, an uploaded image file. */
export const EC2_BACKINGS = ['ebs', 's3', 'raw'] as const satisfies readonly Backing[];
export type Ec2Backing = (typeof EC2_BACKINGS)[number];

/** An AWS region name: us-east-1, eu-central-2, ap-southeast-5, us-gov-west-1, cn-north-1, ... */
const REGION: JsonSchema = {
  type: 'string',
  pattern: '^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\\d+$',
  description: 'An AWS region, e.g. eu-west-1.',
};

const credentials: JsonSchema = {
  type: 'object',
  description:
    'AWS credentials. Each source must supply all the keys the build needs: these settings, else the ' +
    'environment (AWS_ACCESS_KEY, AWS_SECRET_KEY, AWS_CERTIFICATE, AWS_PRIVATE_KEY, AWS_USER_ID), else ' +
    'the SDK chain (profile, instance role). Prefer the last two: a manifest is easily shared.',
  properties: {
    'access-key': { type: 'string', description: 'AWS access key id.' },
    'secret-key': { type: 'string', description: 'AWS secret access key.' },
    certificate: {
      type: 'string',
      description: 'S3 backing: path of the X.509 user certificate used to bundle the image.',
    },
    'private-key': {
      type: 'string',
      description: 'S3 backing: path of the private key of that certificate.',
    },
    'user-id': {
      type: 'string',
      pattern: '(^arn:aws:iam::\\d*:user/\\w.*$)|(^\\d{4}-\\d{4}-\\d{4}$)',
      description: 'S3 backing: the AWS account id (1234-5678-9012) or IAM user ARN.',
    },
    profile: { type: 'string', description: 'Same as provider.profile (the upstream README put it here).' },
  },
  additionalProperties: false,
};

/** The manifest's `provider` section when `provider.name` is `ec2`. */
export const schema: JsonSchema = {
  type: 'object',
  title: 'EC2 provider',
  description:
    'An Amazon Machine Image: EBS-backed (built on EC2, or uploaded from a raw image) or instance-store (S3).',
  properties: {
    name: { const: 'ec2', description: 'Selects the EC2 provider.' },
    description: {
      type: 'string',
      description:
        'Description of the AMI. Manifest variables are expanded, e.g. "Debian {system.release} {system.architecture}".',
    },
    virtualization: {
      type: 'string',
      enum: ['hvm', 'pvm'],
      description:
        'Virtualization type: `hvm` (every current instance type) or `pvm` (paravirtual, pvgrub, legacy).',
    },
    enhanced_networking: {
      type: 'string',
      enum: ['none', 'simple'],
      default: 'none',
      description:
        '`simple` sets SriovNetSupport and EnaSupport on the AMI and installs the drivers. HVM only.',
    },
    credentials,
    profile: { type: 'string', description: 'Named profile of the AWS shared config/credentials files.' },
    assume_role: {
      type: 'string',
      pattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/.+$',
      description:
        'Added. ARN of an IAM role to assume (STS AssumeRole) with the credentials found; the session is named after the build run.',
    },
    encrypted: {
      type: 'boolean',
      default: false,
      description: 'Encrypt the EBS volume and so the snapshot. EBS backing only.',
    },
    kms_key_id: {
      type: 'string',
      description: 'KMS key (id, alias or ARN) for the encryption; needs `encrypted: true`.',
    },
    'amzn-driver-version': {
      type: 'string',
      pattern: '^(master|\\d+\\.\\d+\\.\\d+)$',
      default: 'master',
      description:
        "Ignored, with a warning (bootstrap-vz built Amazon's ENA driver with DKMS from a download): the ENA " +
        "and ixgbevf drivers come from Debian's cloud kernel and are put in the initramfs.",
    },
    kernel: {
      type: 'string',
      pattern: '^[a-z0-9][a-z0-9.+-]+$',
      description:
        'Added: the kernel package to install instead of the default (linux-image-cloud-<arch> where Debian has one).',
    },
    install_init_scripts: {
      type: 'boolean',
      default: true,
      description:
        'Install the EC2 init scripts (SSH key and user-data from the metadata service). cloud_init replaces them.',
    },
    bucket: {
      type: 'string',
      description: 'S3 backing: bucket the bundled image is uploaded to. Required for S3.',
    },
    region: {
      ...REGION,
      description:
        'Region the AMI is registered in. Required for S3 backing (upstream); otherwise (added) defaults to the build ' +
        "host's region for EBS backing and to the SDK's configured region for raw backing.",
    },
    endpoints: {
      type: 'object',
      description:
        'Added. Endpoint URL per AWS service (ec2, ebs, s3, sts, ...), e.g. for a local test server or a VPC ' +
        'endpoint. Unset services use the SDK default.',
      propertyNames: { pattern: '^[a-z0-9-]+$' },
      additionalProperties: { type: 'string', pattern: '^https?://', description: 'Endpoint URL.' },
    },
    imds_support: {
      type: 'string',
      const: 'v2.0',
      description: 'Added. `v2.0` registers the AMI so instances launched from it require IMDSv2 tokens.',
    },
    tpm_support: {
      type: 'string',
      const: 'v2.0',
      description:
        'Added. `v2.0` registers the AMI with NitroTPM. Needs system.boot_mode uefi (AWS rejects uefi-preferred with TPM).',
    },
    ena_support: {
      type: 'boolean',
      description:
        'Added. Sets EnaSupport on the AMI. Defaults to true for hvm with enhanced_networking simple.',
    },
    publish: {
      type: 'boolean',
      default: true,
      description:
        'Added. `false` (raw backing only) stops after the image file: no AWS call, no snapshot, no AMI. ' +
        'For testing an EC2 image locally, e.g. with `bootstrap boot-test`.',
    },
    snapshot_upload: {
      type: 'object',
      description: 'Added. Raw backing: how the image is written to a snapshot through the EBS direct API.',
      properties: {
        concurrency: {
          type: 'integer',
          minimum: 1,
          maximum: 64,
          default: 16,
          description: 'Blocks uploaded in parallel (PutSnapshotBlock).',
        },
      },
      additionalProperties: false,
    },
  },
  required: ['name', 'description', 'virtualization'],
  additionalProperties: false,
  // kms_key_id only means something when the volume is encrypted (if/then works in every ajv draft).
  if: { required: ['kms_key_id'] },
  then: { required: ['encrypted'], properties: { encrypted: { const: true } } },
};

/** Constraints over the whole manifest when the ec2 provider is selected. */
export const manifestSchema: JsonSchema = {
  type: 'object',
  properties: {
    tags: {
      type: 'object',
      minProperties: 1,
      description: 'Tags of the AMI (and snapshot). Values expand manifest variables.',
      additionalProperties: { type: 'string' },
    },
    system: {
      type: 'object',
      properties: {
        bootloader: { type: 'string', enum: ['pvgrub', 'grub', 'extlinux'] },
      },
    },
    volume: {
      type: 'object',
      properties: {
        backing: {
          type: 'string',
          enum: [...EC2_BACKINGS],
          description:
            '`ebs`: build into a new EBS volume (on an EC2 host); `s3`: instance-store bundle; `raw` (added): build an ' +
            'image file anywhere and upload it as a snapshot.',
        },
        partitions: {
          type: 'object',
          properties: { type: { type: 'string', enum: ['none', 'msdos', 'gpt'] } },
        },
      },
      required: ['backing'],
    },
  },
  // Upstream validated manifest-schema-s3.yml whenever the backing was not EBS.
  if: {
    properties: { volume: { properties: { backing: { const: 's3' } }, required: ['backing'] } },
    required: ['volume'],
  },
  then: {
    properties: { provider: { required: ['bucket', 'region'] } },
  },
};

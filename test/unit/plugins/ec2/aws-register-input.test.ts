import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ManifestData } from '../../../../src/api/index.js';
import { awsBootMode, registerImageInput } from '../../../../plugins/ec2/aws/register-input.js';
import { resourceTags } from '../../../../plugins/ec2/aws/tags.js';
import { baseManifestData, testManifest } from '../../../helpers/fake-context.js';

function ec2Manifest(provider: Record<string, unknown>, system: Partial<ManifestData['system']> = {}) {
  return testManifest({
    ...baseManifestData,
    name: 'debian-{system.release}-{system.architecture}',
    tags: { Name: 'debian-{system.release}' },
    provider: { name: 'ec2', virtualization: 'hvm', description: 'Debian {system.release}', ...provider },
    system: { ...baseManifestData.system, ...system },
  });
}

const snapshot = { snapshotId: 'snap-0123', volumeSizeGiB: 8 };

test('RegisterImage for an HVM image with enhanced networking and IMDSv2, as Debian registers it', () => {
  const m = ec2Manifest({ enhanced_networking: 'simple', imds_support: 'v2.0' });
  const input = registerImageInput(m, { snapshot }, resourceTags(m, 'abcd1234'));
  assert.deepEqual(input, {
    Name: 'debian-bookworm-amd64',
    Description: 'Debian bookworm',
    Architecture: 'x86_64',
    VirtualizationType: 'hvm',
    RootDeviceName: '/dev/xvda',
    BlockDeviceMappings: [
      {
        DeviceName: '/dev/xvda',
        Ebs: { SnapshotId: 'snap-0123', VolumeSize: 8, VolumeType: 'gp3', DeleteOnTermination: true },
      },
    ],
    EnaSupport: true,
    SriovNetSupport: 'simple',
    BootMode: 'legacy-bios',
    ImdsSupport: 'v2.0',
    TagSpecifications: [
      {
        ResourceType: 'image',
        Tags: [
          { Key: 'Name', Value: 'debian-bookworm' },
          { Key: 'debian-image-bootstrap:run', Value: 'abcd1234' },
        ],
      },
    ],
  });
});

test('boot mode follows the manifest: hybrid is uefi-preferred, arm64 is uefi; TPM passes through', () => {
  assert.equal(awsBootMode(ec2Manifest({}, { boot_mode: 'hybrid' })), 'uefi-preferred');
  assert.equal(awsBootMode(ec2Manifest({}, { boot_mode: 'uefi' })), 'uefi');
  assert.equal(awsBootMode(ec2Manifest({}, { architecture: 'arm64' })), 'uefi');
  assert.equal(awsBootMode(ec2Manifest({})), 'legacy-bios');
  const arm = ec2Manifest({ tpm_support: 'v2.0' }, { architecture: 'arm64', boot_mode: 'uefi' });
  const input = registerImageInput(arm, { snapshot }, {});
  assert.equal(input.Architecture, 'arm64');
  assert.equal(input.TpmSupport, 'v2.0');
  assert.equal(input.EnaSupport, undefined);
  assert.equal(input.SriovNetSupport, undefined);
});

test('ena_support overrides; paravirtual S3 images register by ImageLocation, without BootMode or mappings', () => {
  const ena = registerImageInput(ec2Manifest({ ena_support: true }), { snapshot }, {});
  assert.equal(ena.EnaSupport, true);
  assert.equal(ena.SriovNetSupport, undefined);
  const pvm = registerImageInput(
    ec2Manifest({ virtualization: 'pvm' }),
    { imageLocation: 'bucket/debian.manifest.xml' },
    {},
  );
  assert.equal(pvm.VirtualizationType, 'paravirtual');
  assert.equal(pvm.ImageLocation, 'bucket/debian.manifest.xml');
  assert.equal(pvm.BootMode, undefined);
  assert.equal(pvm.BlockDeviceMappings, undefined);
  assert.throws(() => registerImageInput(ec2Manifest({}), {}, {}), /nothing to register/);
});

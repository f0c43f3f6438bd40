import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSfdiskOffsets } from '../../../src/boottest/image-facts.js';
import { bootDefaults, NO_MANIFEST_DEFAULTS } from '../../../src/boottest/manifest-defaults.js';

function manifest(over: {
  boot_mode?: string;
  arch?: string;
  provider?: Record<string, unknown>;
  plugins?: Record<string, Record<string, unknown>>;
}) {
  const plugins = over.plugins ?? {};
  return {
    data: {
      system: {
        release: 'bookworm',
        architecture: over.arch ?? 'amd64',
        bootloader: 'grub',
        timezone: 'UTC',
        locale: 'C',
        charmap: 'UTF-8',
        ...(over.boot_mode ? { boot_mode: over.boot_mode } : {}),
      },
      provider: { name: 'kvm', ...over.provider },
    } as never,
    pluginSettings: <T>(name: string) => plugins[name] as T | undefined,
    isPluginEnabled: (name: string) => name in plugins,
  };
}

describe('boot-test defaults from a manifest', () => {
  it('without a manifest: BIOS, amd64, root, SSH decided by the guest', () => {
    assert.deepEqual(bootDefaults(undefined), NO_MANIFEST_DEFAULTS);
    assert.equal(NO_MANIFEST_DEFAULTS.user, 'root');
    assert.equal(NO_MANIFEST_DEFAULTS.expectSsh, undefined);
  });

  it('cloud_init with a username: that user, and SSH must work', () => {
    const d = bootDefaults(manifest({ plugins: { cloud_init: { username: 'admin' } } }));
    assert.equal(d.user, 'admin');
    assert.equal(d.expectSsh, true);
  });

  it('firmware follows boot_mode (hybrid boots with BIOS), arm64 is UEFI', () => {
    assert.equal(bootDefaults(manifest({ boot_mode: 'uefi' })).firmware, 'uefi');
    assert.equal(bootDefaults(manifest({ boot_mode: 'hybrid' })).firmware, 'bios');
    const arm = bootDefaults(manifest({ arch: 'arm64' }));
    assert.deepEqual([arm.arch, arm.firmware], ['arm64', 'uefi']);
  });

  it('an ec2 manifest with imds_support v2.0 claims IMDSv2', () => {
    assert.equal(
      bootDefaults(manifest({ provider: { name: 'ec2', imds_support: 'v2.0' } })).imageClaimsImdsV2,
      true,
    );
    assert.equal(bootDefaults(manifest({ provider: { name: 'ec2' } })).imageClaimsImdsV2, false);
  });
});

describe('image partition offsets', () => {
  it('turns sfdisk --json sectors into byte offsets', () => {
    const json = JSON.stringify({
      partitiontable: {
        label: 'gpt',
        sectorsize: 512,
        partitions: [{ start: 2048 }, { start: 4096 }, { start: 264192 }],
      },
    });
    assert.deepEqual(parseSfdiskOffsets(json), [1048576, 2097152, 135266304]);
    assert.deepEqual(parseSfdiskOffsets('{}'), []);
  });
});

/** Shared fixtures for the system, bootloader and hygiene task tests. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  BuildState,
  ROOT_DIR,
  VOLUME,
  type Manifest,
  type ManifestData,
  type VolumeInfo,
} from '../../../../src/api/index.js';
import {
  baseManifestData,
  testContext,
  testManifest,
  type TestContext,
  type TestRunner,
} from '../../../helpers/fake-context.js';

const MiB = 1024 * 1024;

/** A gpt layout as base/create-volume fills it: bios_grub, ESP, /boot, swap, root, an extra /var. */
export function gptVolume(): VolumeInfo {
  return {
    backing: 'raw',
    state: 'mounted',
    device: '/dev/loop0',
    sizeBytes: 4096 * MiB,
    partitionMap: 'gpt',
    partitions: [
      { name: 'bios_grub', number: 1, startBytes: MiB, sizeBytes: MiB },
      {
        name: 'efi',
        number: 2,
        startBytes: 2 * MiB,
        sizeBytes: 127 * MiB,
        filesystem: 'vfat',
        mountpoint: '/boot/efi',
        device: '/dev/loop0p2',
        uuid: 'ABCD-1234',
        partuuid: '11111111-2222-3333-4444-555555555555',
      },
      {
        name: 'boot',
        number: 3,
        startBytes: 129 * MiB,
        sizeBytes: 256 * MiB,
        filesystem: 'ext2',
        mountpoint: '/boot',
        device: '/dev/loop0p3',
        uuid: 'b0b0b0b0-0000-4000-8000-000000000003',
      },
      {
        name: 'swap',
        number: 4,
        startBytes: 385 * MiB,
        sizeBytes: 512 * MiB,
        filesystem: 'swap',
        device: '/dev/loop0p4',
        uuid: '5a5a5a5a-0000-4000-8000-000000000004',
      },
      {
        name: 'root',
        number: 5,
        startBytes: 897 * MiB,
        sizeBytes: 2048 * MiB,
        filesystem: 'ext4',
        mountpoint: '/',
        mountopts: ['defaults', 'noatime'],
        device: '/dev/loop0p5',
        uuid: 'e0e0e0e0-0000-4000-8000-000000000005',
        partuuid: '99999999-2222-3333-4444-555555555555',
      },
      {
        name: 'var',
        number: 6,
        startBytes: 2945 * MiB,
        sizeBytes: 1024 * MiB,
        filesystem: 'xfs',
        mountpoint: '/var',
        device: '/dev/loop0p6',
        uuid: 'fafafafa-0000-4000-8000-000000000006',
      },
    ],
  };
}

/** msdos: root only, as bootstrap-vz's smallest manifests. */
export function msdosVolume(): VolumeInfo {
  return {
    backing: 'raw',
    state: 'mounted',
    device: '/dev/loop3',
    sizeBytes: 2048 * MiB,
    partitionMap: 'msdos',
    partitions: [
      {
        name: 'root',
        number: 1,
        startBytes: MiB,
        sizeBytes: 2047 * MiB,
        filesystem: 'ext4',
        mountpoint: '/',
        device: '/dev/loop3p1',
        uuid: '0123abcd-0000-4000-8000-000000000001',
      },
    ],
  };
}

/** A manifest over baseManifestData with `system` keys overridden and an optional release version. */
export function manifestWith(
  system: Partial<ManifestData['system']> = {},
  extra: Partial<ManifestData> = {},
  releaseVersion = '12',
): Manifest {
  const data: ManifestData = {
    ...baseManifestData,
    ...extra,
    system: { ...baseManifestData.system, ...system },
  };
  const m = testManifest(data);
  return { ...m, release: { ...m.release, version: releaseVersion } };
}

/** A task context whose image root is `root`, with an optional volume and runner. */
export function imageContext(
  root: string,
  opts: { manifest?: Manifest; volume?: VolumeInfo; runner?: TestRunner; workspace?: string } = {},
): TestContext {
  const state = new BuildState();
  state.set(ROOT_DIR, root);
  if (opts.volume) state.set(VOLUME, opts.volume);
  return testContext({
    state,
    ...(opts.manifest ? { manifest: opts.manifest } : {}),
    ...(opts.runner ? { runner: opts.runner } : {}),
    ...(opts.workspace ? { workspace: opts.workspace } : {}),
  });
}

/** Writes files (image path -> content) under root, creating directories. */
export async function seed(root: string, files: Readonly<Record<string, string>>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

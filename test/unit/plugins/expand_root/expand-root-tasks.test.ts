import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ENABLED_UNITS, PACKAGES, ROOT_DIR, VOLUME, type ManifestData } from '../../../../src/api/index.js';
import { loadManifest } from '../../../../src/manifest/load-manifest.js';
import { BUILTIN_PLUGINS, createRegistry } from '../../../../src/registry/builtin-registry.js';
import { CLOUD_INIT_DROP_IN, SCRIPT_PATH, UNIT_PATH } from '../../../../plugins/expand_root/boot-files.js';
import { expandRootPlugin } from '../../../../plugins/expand_root/index.js';
import {
  addExpandRootPackages,
  disableCloudInitGrowpart,
  installExpandRoot,
} from '../../../../plugins/expand_root/tasks.js';
import { baseManifestData, tempDir, testContext, testManifest } from '../../../helpers/fake-context.js';

const BASE_MANIFEST = new URL('../../../../manifests/debian-qemu.yml', import.meta.url).pathname;
const settings = { filesystem_type: 'ext4', root_device: '/dev/vda', root_partition: 3 };
const withExpandRoot = (
  s: Record<string, unknown> = settings,
  more: Record<string, Record<string, unknown>> = {},
): ManifestData => ({
  ...baseManifestData,
  plugins: { expand_root: s, ...more },
});

describe('expand_root tasks', () => {
  it('adds growpart and the tools of the filesystem', async () => {
    const ext = testContext({ manifest: testManifest(withExpandRoot()) });
    await addExpandRootPackages.run(ext);
    assert.deepEqual([...ext.state.get(PACKAGES)], ['cloud-guest-utils', 'e2fsprogs']);
    const xfs = testContext({
      manifest: testManifest(withExpandRoot({ ...settings, filesystem_type: 'xfs' })),
    });
    await addExpandRootPackages.run(xfs);
    assert.deepEqual([...xfs.state.get(PACKAGES)], ['cloud-guest-utils', 'xfsprogs']);
  });

  it('installs the script and a oneshot unit, and enables it', async () => {
    const dir = await tempDir();
    try {
      const ctx = testContext({ manifest: testManifest(withExpandRoot()) });
      ctx.state.set(ROOT_DIR, dir.path);
      await installExpandRoot.run(ctx);
      const script = join(dir.path, SCRIPT_PATH);
      assert.equal((await stat(script)).mode & 0o777, 0o755);
      assert.match(await readFile(script, 'utf8'), /findmnt .*--mountpoint \//);
      const unit = await readFile(join(dir.path, UNIT_PATH), 'utf8');
      assert.equal((await stat(join(dir.path, UNIT_PATH))).mode & 0o777, 0o644);
      assert.match(unit, /^Type=oneshot$/m);
      assert.match(unit, /^ExecStart=\/usr\/local\/sbin\/expand-root$/m);
      assert.match(unit, /^WantedBy=multi-user\.target$/m);
      assert.doesNotMatch(unit, /\/dev\/vda/, 'no device fixed at build time');
      assert.deepEqual([...ctx.state.get(ENABLED_UNITS)], ['expand-root.service']);
      assert.deepEqual(installExpandRoot.before, ['base/enable-units']);
      assert.deepEqual(ctx.logs, []);
    } finally {
      await dir.cleanup();
    }
  });

  it('warns when root_partition disagrees with the volume, and still installs', async () => {
    const dir = await tempDir();
    try {
      const ctx = testContext({ manifest: testManifest(withExpandRoot({ ...settings, root_partition: 1 })) });
      ctx.state.set(ROOT_DIR, dir.path);
      ctx.state.set(VOLUME, {
        backing: 'raw',
        state: 'mounted',
        sizeBytes: 2 ** 31,
        partitionMap: 'gpt',
        partitions: [
          { name: 'bios_grub', number: 1, startBytes: 2 ** 20, sizeBytes: 2 ** 20 },
          {
            name: 'root',
            number: 2,
            startBytes: 2 ** 21,
            sizeBytes: 2 ** 30,
            filesystem: 'ext4',
            mountpoint: '/',
          },
        ],
      });
      await installExpandRoot.run(ctx);
      assert.equal(ctx.logs.length, 1);
      assert.match(
        ctx.logs[0] ?? '',
        /^warn: .*root_partition is 1, but the root partition of this volume is number 2/,
      );
    } finally {
      await dir.cleanup();
    }
  });

  it("turns cloud-init's growpart and resizefs off when cloud_init is enabled too", async () => {
    const planned = (data: ManifestData) => {
      const ids: string[] = [];
      expandRootPlugin.resolveTasks(testManifest(data), {
        add: (...t) => ids.push(...t.map((x) => x.id)),
        remove: () => {},
        has: () => false,
      });
      return ids;
    };
    assert.deepEqual(planned(withExpandRoot()), ['expand_root/add-packages', 'expand_root/install-service']);
    assert.deepEqual(planned(withExpandRoot(settings, { cloud_init: { username: 'admin' } })), [
      'expand_root/add-packages',
      'expand_root/install-service',
      'expand_root/disable-cloud-init-growpart',
    ]);
    const dir = await tempDir();
    try {
      const ctx = testContext({
        manifest: testManifest(withExpandRoot(settings, { cloud_init: { username: 'admin' } })),
      });
      ctx.state.set(ROOT_DIR, dir.path);
      await disableCloudInitGrowpart.run(ctx);
      const text = await readFile(join(dir.path, CLOUD_INIT_DROP_IN), 'utf8');
      assert.match(text, /^growpart:\n {2}mode: "off"$/m);
      assert.match(text, /^resize_rootfs: false$/m);
    } finally {
      await dir.cleanup();
    }
  });
});

describe('expand_root: manifest checks', () => {
  async function load(yaml: string) {
    const dir = await tempDir();
    try {
      const file = join(dir.path, 'm.yml');
      await writeFile(file, `extends: ${BASE_MANIFEST}\n${yaml}`);
      const registry = createRegistry([...BUILTIN_PLUGINS, expandRootPlugin]);
      return { file, result: await loadManifest(file, { registry, now: new Date('2025-01-01T00:00:00Z') }) };
    } finally {
      await dir.cleanup();
    }
  }
  const plugin = (fs: string) =>
    `plugins:\n  expand_root:\n    filesystem_type: ${fs}\n    root_device: /dev/vda\n    root_partition: 3\n`;

  it('refuses a filesystem_type that is not the root partition’s, at its line', async () => {
    const { file, result } = await load(plugin('xfs'));
    assert.equal(result.errors.length, 1, JSON.stringify(result.errors));
    const [issue] = result.errors;
    assert.deepEqual(
      [issue?.pointer, issue?.file, issue?.line],
      ['/plugins/expand_root/filesystem_type', file, 4],
    );
    assert.match(issue?.message ?? '', /formatted ext4/);
  });

  it('refuses an unpartitioned volume', async () => {
    const { result } = await load(
      `system:\n  bootloader: extlinux\nvolume:\n  partitions:\n    type: none\n${plugin('ext4')}`,
    );
    assert.ok(
      result.errors.some((e) => e.pointer === '/plugins/expand_root' && /no partition table/.test(e.message)),
      JSON.stringify(result.errors),
    );
  });

  it("refuses cloud_init's growpart module next to expand_root: two plugins would grow the same disk", async () => {
    const { result } = await load(
      `${plugin('ext4')}  cloud_init:\n    username: admin\n    enable_modules:\n      cloud_init_modules:\n        - {module: growpart, position: 4}\n`,
    );
    const issue = result.errors.find((e) => e.pointer === '/plugins/expand_root');
    assert.ok(issue, JSON.stringify(result.errors));
    assert.match(issue.message, /growpart module would both grow/);
  });

  it('refuses a root_device that is not a device path', async () => {
    const { result } = await load(plugin('ext4').replace('/dev/vda', 'vda'));
    assert.deepEqual(
      result.errors.map((e) => e.pointer),
      ['/plugins/expand_root/root_device'],
    );
  });

  it('loads the shipped example', async () => {
    const registry = createRegistry([...BUILTIN_PLUGINS, expandRootPlugin]);
    const example = new URL('../../../../manifests/examples/expand_root.yml', import.meta.url).pathname;
    const result = await loadManifest(example, { registry, now: new Date('2025-01-01T00:00:00Z') });
    assert.deepEqual(result.errors, []);
  });
});

/**
 * The release matrix of the shipped manifests: trixie by default, bookworm through --set, forky and sid
 * best-effort (they plan, with a warning that is not an error), and the choices that depend on the
 * release (apt sources format, security suite, kernel, bootloader and guest packages).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sourceFiles } from '../../../src/base/apt/apt-sources.js';
import { bootloaderPackages } from '../../../src/base/bootloader/bootloader-packages.js';
import { kernelPackage } from '../../../src/base/system/add-kernel-package.js';
import { makePlan } from '../../../src/core/make-plan.js';
import { formatIssue, loadManifest } from '../../../src/manifest/load-manifest.js';
import { builtinRegistry } from '../../../src/registry/lazy-registry.js';
import { guestPackages } from '../../../plugins/ec2/guest/select-guest.js';
import { addCloudInitPackages } from '../../../plugins/cloud_init/tasks.js';
import { PACKAGES } from '../../../src/api/index.js';
import { testContext } from '../../helpers/fake-context.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const SHIPPED = [
  'manifests/debian-qemu.yml',
  'manifests/debian-hvm.yml',
  'manifests/debian-hvm-raw.yml',
  'manifests/debian-hvm-init-scripts.yml',
];

async function load(file: string, set: string[] = []) {
  const r = await loadManifest(file, { registry: builtinRegistry(), now: NOW, set });
  assert.deepEqual(
    r.errors.map((e) => formatIssue(e, { color: false })),
    [],
    `${file} ${set.join(' ')}`,
  );
  assert.ok(r.manifest);
  return { manifest: r.manifest, warnings: r.warnings };
}

const releaseWarnings = (warnings: readonly { pointer: string; message: string }[]) =>
  warnings.filter((w) => w.pointer === '/system/release').map((w) => w.message);

describe('release matrix of the shipped manifests', () => {
  for (const file of SHIPPED) {
    it(`${file}: trixie by default, named by codename, no release warning`, async () => {
      const { manifest, warnings } = await load(file);
      assert.equal(manifest.release.codename, 'trixie');
      assert.match(manifest.expand(String(manifest.data.name)), /^debian-trixie-amd64-/);
      assert.deepEqual(releaseWarnings(warnings), []);
    });

    it(`${file}: bookworm through --set system.release=bookworm, no release warning`, async () => {
      const { manifest, warnings } = await load(file, ['system.release=bookworm']);
      assert.equal(manifest.release.codename, 'bookworm');
      assert.match(manifest.expand(String(manifest.data.name)), /^debian-bookworm-amd64-/);
      assert.deepEqual(releaseWarnings(warnings), []);
      assert.ok(makePlan(manifest).plan.tasks.length > 10);
    });

    for (const release of ['forky', 'sid', 'testing', 'unstable']) {
      it(`${file}: ${release} plans, with a best-effort warning (not an error)`, async () => {
        const { manifest, warnings } = await load(file, [`system.release=${release}`]);
        const messages = releaseWarnings(warnings);
        assert.equal(messages.length, 1, messages.join('\n'));
        assert.match(messages[0] ?? '', /best-effort/);
        const { plan } = makePlan(manifest);
        assert.ok(plan.tasks.some((t) => t.task.id === 'base/bootstrap-os'));
        assert.ok(plan.tasks.some((t) => t.task.id === 'base/write-apt-sources'));
      });
    }
  }
});

describe('release-dependent choices', () => {
  it('apt sources: one-line sources.list for bookworm, deb822 debian.sources from trixie on', async () => {
    const bookworm = sourceFiles((await load('manifests/debian-hvm.yml', ['system.release=bookworm'])).manifest);
    assert.deepEqual(
      bookworm.write.map((f) => f.path),
      ['etc/apt/sources.list'],
    );
    assert.match(bookworm.write[0]?.content ?? '', /^deb \S+ bookworm-security main$/m);
    for (const release of ['trixie', 'forky']) {
      const files = sourceFiles(
        (await load('manifests/debian-hvm.yml', [`system.release=${release}`])).manifest,
      );
      assert.deepEqual(
        files.write.map((f) => f.path),
        ['etc/apt/sources.list.d/debian.sources'],
      );
      assert.deepEqual(files.remove, ['etc/apt/sources.list']);
      assert.match(files.write[0]?.content ?? '', new RegExp(`^Suites: ${release}-security$`, 'm'));
    }
    const sid = sourceFiles((await load('manifests/debian-hvm.yml', ['system.release=sid'])).manifest);
    assert.doesNotMatch(sid.write[0]?.content ?? '', /security|updates/);
  });

  it('kernel, bootloader and EC2 guest packages for every tested and best-effort release', async () => {
    for (const release of ['bookworm', 'trixie', 'forky', 'sid']) {
      const set = [`system.release=${release}`, 'packages.install=[openssh-server]'];
      const qemu = (await load('manifests/debian-qemu.yml', set)).manifest;
      assert.equal(kernelPackage(qemu), 'linux-image-cloud-amd64', release);
      assert.deepEqual(
        bootloaderPackages(qemu),
        { packages: ['grub-cloud-amd64', 'dosfstools'], secureBoot: true, grubCloud: true },
        release,
      );
      const uefi = (await load('manifests/debian-qemu.yml', [...set, 'system.boot_mode=uefi'])).manifest;
      assert.deepEqual(
        bootloaderPackages(uefi).packages,
        ['grub-efi-amd64', 'dosfstools', 'grub-efi-amd64-signed', 'shim-signed'],
        release,
      );
      const hvm = (await load('manifests/debian-hvm.yml', set)).manifest;
      assert.equal(kernelPackage(hvm), 'linux-image-cloud-amd64', release);
      assert.deepEqual(guestPackages(hvm), ['amazon-ec2-utils', 'systemd-timesyncd'], release);
    }
  });

  it('the image networks with systemd-networkd and resolved on every release; no ifupdown in the shipped manifests', async () => {
    for (const file of SHIPPED) {
      const { manifest } = await load(file);
      const install = manifest.data.packages?.install ?? [];
      assert.ok(!install.includes('ifupdown') && !install.includes('isc-dhcp-client'), file);
      const ids = makePlan(manifest).plan.tasks.map((t) => t.task.id);
      assert.ok(ids.includes('base/add-network-packages') && ids.includes('base/configure-networking'), file);
    }
  });

  it('cloud-init gets iproute2 and the DHCP client its version uses: dhclient up to bookworm, dhcpcd from trixie', async () => {
    for (const [release, dhcp] of [
      ['bookworm', 'isc-dhcp-client'],
      ['trixie', 'dhcpcd-base'],
      ['sid', 'dhcpcd-base'],
    ] as const) {
      const { manifest } = await load('manifests/debian-hvm.yml', [`system.release=${release}`]);
      const ctx = testContext({ manifest });
      await addCloudInitPackages.run(ctx);
      const packages = ctx.state.get(PACKAGES);
      assert.ok(packages.has('iproute2') && packages.has(dhcp), `${release}: ${[...packages].join(' ')}`);
      assert.ok(!packages.has(dhcp === 'dhcpcd-base' ? 'isc-dhcp-client' : 'dhcpcd-base'), release);
    }
  });
});

/**
 * ansible and puppet proven inside one built image (test/fixtures/manifests/plugins-config-mgmt.yml):
 * the playbook runs on the build host through the chroot connection, `puppet apply` runs in the image,
 * and both leave their results, with facts read from the image, and none of their working files.
 * File-level effects only, so the image is not booted.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { leftovers, withMountedPartition } from '../build/image-inspect.js';

const MANIFEST = 'test/fixtures/manifests/plugins-config-mgmt.yml';
const isRoot = process.getuid?.() === 0;
// Debian's `ansible` package: ansible-core alone has no chroot connection (community.general has it).
const hasAnsible =
  spawnSync('ansible-doc', ['-t', 'connection', 'community.general.chroot'], { stdio: 'ignore' }).status ===
  0;
const skip =
  !isRoot || !existsSync('/dev/loop-control')
    ? 'needs root and loop devices'
    : !hasAnsible
      ? 'needs ansible with the community.general.chroot connection on the build host (apt-get install ansible)'
      : false;

const WORK = isRoot ? mkdtempSync('/var/tmp/it-config-mgmt-') : '/nonexistent';
const WS = join(WORK, 'ws');
const IMAGE = join(WS, 'it-config-mgmt.raw');

describe('ansible and puppet in a built image', { skip }, () => {
  let build: { code: number | null; out: string };
  before(async () => {
    const began = Date.now();
    build = await new Promise((resolve) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'src/cli/main.ts',
          MANIFEST,
          '--progress',
          'plain',
          '--log',
          '-',
          '--set',
          `bootstrapper.workspace=${WS}`,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (code) => resolve({ code, out }));
    });
    console.log(`# config-mgmt image built in ${((Date.now() - began) / 1000).toFixed(0)} s`);
  });
  after(() => rmSync(WORK, { recursive: true, force: leftovers(WORK).mounts.length === 0 }));

  it('builds', () => assert.equal(build.code, 0, build.out.slice(-4000)));

  it('ansible: the playbook ran against the image with its facts and the extra vars', () => {
    withMountedPartition(IMAGE, 2, (root) => {
      assert.equal(readFileSync(join(root, 'etc/ansible-proof'), 'utf8'), 'ansible-extra-var Debian 12\n');
      assert.equal(statSync(join(root, 'etc/ansible-proof')).mode & 0o777, 0o640);
      // Ansible's remote temp files (~/.ansible/tmp) are removed from the image.
      assert.ok(!existsSync(join(root, 'root/.ansible')), 'no /root/.ansible left');
    });
  });

  it('puppet: the manifest was applied in the image with its facts, assets in place, work files gone', () => {
    withMountedPartition(IMAGE, 2, (root) => {
      assert.equal(readFileSync(join(root, 'etc/puppet-proof'), 'utf8'), 'puppet Debian 12\n');
      assert.equal(statSync(join(root, 'etc/puppet-proof')).mode & 0o777, 0o640);
      assert.equal(
        readFileSync(join(root, 'etc/puppet/puppet.conf'), 'utf8'),
        readFileSync('manifests/examples/files/puppet/assets/puppet/puppet.conf', 'utf8'),
      );
      assert.ok(!existsSync(join(root, 'tmp/.puppet-bootstrap')));
      assert.deepEqual(readdirSync(join(root, 'tmp')), []);
    });
  });

  // A test, not an `after` hook, so the summary counts it: a failing hook made the run exit 1 while the
  // summary said `# fail 0` (issue 17, item 7).
  it('leaves nothing attached or mounted', () => {
    const { loops, mounts } = leftovers(WORK);
    assert.deepEqual({ loops, mounts }, { loops: [], mounts: [] }, 'nothing left attached or mounted');
  });
});

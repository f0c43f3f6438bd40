/**
 * A dry run of each shipped EC2 manifest goes through every task, guest tasks included (they must not
 * depend on what only a real build installs, such as a kernel), and prints the cloud calls it would
 * make, ending with RegisterImage. No AWS call, no journal line, nothing left on disk.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ec2-dry-run-'));
const MANIFESTS: [string, RegExp][] = [
  ['manifests/debian-hvm.yml', /ec2 CreateVolume[\s\S]*ec2 CreateSnapshot[\s\S]*ec2 RegisterImage/],
  ['manifests/debian-hvm-raw.yml', /ebs StartSnapshot[\s\S]*ec2 RegisterImage/],
  ['manifests/debian-hvm-init-scripts.yml', /ec2 RegisterImage/],
];

describe('EC2 manifests dry-run', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [file, calls] of MANIFESTS) {
    it(`${file}`, async () => {
      const stateDir = mkdtempSync(join(dir, 'state-'));
      const r = await runCli(
        [file, '--dry-run', '--progress', 'plain', '--set', `bootstrapper.workspace=${join(dir, 'ws')}`],
        { env: { BOOTSTRAP_STATE_DIR: stateDir, AWS_REGION: 'eu-west-1' } },
      );
      const out = r.stdout + r.stderr;
      assert.equal(r.status, 0, out);
      assert.match(out, /cloud API calls this build would make/);
      assert.match(out, calls);
      assert.deepEqual(readdirSync(stateDir).flatMap((d) => readdirSync(join(stateDir, d))), []);
    });
  }
});

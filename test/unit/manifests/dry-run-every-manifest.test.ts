/**
 * Issue 16, item 6: the dry run works on every manifest that validates. Every shipped manifest
 * (manifests/, manifests/examples/) and every upstream bootstrap-vz manifest the tests keep
 * (test/fixtures/bootstrap-vz/manifests) is validated, then dry-run, in this process: both exit 0.
 * Files a build reads from the image (cloud.cfg) or the host (puppet assets, playbooks) that a dry
 * run does not have are skipped with a note; steps this version cannot run (PV-GRUB) are skipped with
 * a warning, where a real build refuses the manifest before any work. Nothing is left on disk.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../../helpers/run-cli.js';
import { manifestsUnder } from '../../helpers/manifest-files.js';

const SHIPPED = manifestsUnder('manifests');
const UPSTREAM = manifestsUnder('test/fixtures/bootstrap-vz/manifests');
const dir = mkdtempSync(join(tmpdir(), 'dry-run-every-'));
const workspace = join(dir, 'ws');
const stateDir = join(dir, 'state');
const env = { BOOTSTRAP_OFFLINE: '1', BOOTSTRAP_STATE_DIR: stateDir, AWS_REGION: 'eu-west-1' };
const set = ['--set', `bootstrapper.workspace=${workspace}`];

describe('the dry run works on every manifest that validates', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));
  let validated = 0;

  it('there are manifests: shipped and upstream bootstrap-vz', () => {
    assert.ok(SHIPPED.length >= 20, `${SHIPPED.length} shipped`);
    assert.ok(UPSTREAM.length >= 20, `${UPSTREAM.length} upstream`);
  });

  for (const file of [...SHIPPED, ...UPSTREAM]) {
    it(file, async () => {
      const v = await runCli(['validate', file, ...set], { env });
      // The corpus may name a plugin this version does not ship; nothing else may fail validation.
      if (v.status !== 0) {
        assert.match(v.stderr, /unknown plugin "/, v.stderr);
        return;
      }
      validated++;
      const r = await runCli([file, '--dry-run', '--progress', 'plain', ...set], { env });
      assert.equal(r.status, 0, `${file}: dry run exit ${r.status}\n${r.stdout}${r.stderr}`);
      assert.doesNotMatch(r.stderr, /internal error/);
    });
  }

  it('they all validated, and the dry runs left nothing behind', () => {
    assert.equal(validated, SHIPPED.length + UPSTREAM.length);
    const left = (d: string): string[] => {
      try {
        return readdirSync(d);
      } catch {
        return [];
      }
    };
    assert.deepEqual(left(workspace), [], 'no workspace, image or log');
    assert.deepEqual(
      left(stateDir).flatMap((d) => left(join(stateDir, d))),
      [],
      'no journal',
    );
  });
});

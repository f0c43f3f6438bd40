import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { prebootstrappedPlugin } from '../../../../plugins/prebootstrapped/index.js';
import { tempDir } from '../../../helpers/fake-context.js';
import { BASE_MANIFEST, loadWith, loadYaml, planIds } from '../../../helpers/plan-manifest.js';

const EXAMPLE = new URL('../../../../manifests/examples/prebootstrapped.yml', import.meta.url).pathname;
const plugins = [prebootstrappedPlugin];

describe('prebootstrapped: plan and checks', () => {
  it('loads the example, which saves the tree after package installation and before the DNS fix', async () => {
    assert.deepEqual((await loadWith(EXAMPLE, ...plugins)).errors, []);
    const ids = await planIds(EXAMPLE, ...plugins);
    const at = (id: string) => ids.indexOf(id);
    assert.ok(at('base/bootstrap-os') >= 0);
    assert.ok(at('base/install-packages') < at('prebootstrapped/save-tarball'));
    assert.ok(at('prebootstrapped/save-tarball') < at('base/keep-build-dns'));
    assert.equal(at('prebootstrapped/extract-tarball'), -1);
  });

  it('with a tarball, unpacks it in place of base/bootstrap-os', async () => {
    const dir = await tempDir();
    try {
      const file = join(dir.path, 'm.yml');
      await writeFile(
        file,
        `extends: ${BASE_MANIFEST}\nplugins:\n  prebootstrapped:\n    tarball: saved.tar\n`,
      );
      const ids = await planIds(file, ...plugins);
      const at = (id: string) => ids.indexOf(id);
      assert.equal(at('base/bootstrap-os'), -1);
      assert.equal(at('prebootstrapped/save-tarball'), -1);
      assert.equal(at('prebootstrapped/check-tarball'), 0);
      assert.ok(at('base/mount-volume') < at('prebootstrapped/extract-tarball'));
      assert.ok(at('prebootstrapped/extract-tarball') < at('base/write-apt-sources'));
    } finally {
      await dir.cleanup();
    }
  });

  it("reports bootstrap-vz's image key as unsupported, at its line", async () => {
    const { file, result } = await loadYaml(
      plugins,
      'plugins:\n  prebootstrapped:\n    image: /var/tmp/x.raw\n',
    );
    assert.deepEqual(
      result.errors.map((e) => [e.pointer, e.file, e.line]),
      [['/plugins/prebootstrapped/image', file, 4]],
    );
    assert.match(result.errors[0]?.hint ?? '', /tarball:/);
  });
});

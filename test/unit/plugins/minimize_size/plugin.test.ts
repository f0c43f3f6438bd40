import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { minimizeSizePlugin } from '../../../../plugins/minimize_size/index.js';
import { loadWith, loadYaml, planIds } from '../../../helpers/plan-manifest.js';

const EXAMPLE = new URL('../../../../manifests/examples/minimize_size.yml', import.meta.url).pathname;
const plugins = [minimizeSizePlugin];

function before(ids: readonly string[], first: string, second: string): void {
  const a = ids.indexOf(first);
  const b = ids.indexOf(second);
  assert.ok(a >= 0 && b >= 0 && a < b, `${first} (${a}) should run before ${second} (${b})`);
}

describe('minimize_size: plan and checks', () => {
  it('loads the shipped example and orders its tasks around the base ones', async () => {
    const result = await loadWith(EXAMPLE, ...plugins);
    assert.deepEqual(result.errors, []);
    const ids = await planIds(EXAMPLE, ...plugins);
    const mine = ids.filter((id) => id.startsWith('minimize_size/'));
    assert.deepEqual(mine.sort(), [
      'minimize_size/measure-image',
      'minimize_size/remove-filtered-files',
      'minimize_size/report-savings',
      'minimize_size/shrink-image',
      'minimize_size/write-apt-autoclean',
      'minimize_size/write-apt-config',
      'minimize_size/write-dpkg-filters',
      'minimize_size/zerofree',
    ]);
    before(ids, 'base/bootstrap-os', 'minimize_size/write-dpkg-filters');
    before(ids, 'minimize_size/write-dpkg-filters', 'minimize_size/remove-filtered-files');
    before(ids, 'minimize_size/remove-filtered-files', 'base/apt-update');
    before(ids, 'minimize_size/write-apt-config', 'base/apt-update');
    before(ids, 'base/install-packages', 'minimize_size/write-apt-autoclean');
    before(ids, 'base/clean-apt', 'minimize_size/write-apt-autoclean');
    before(ids, 'base/unmount-volume', 'minimize_size/measure-image');
    before(ids, 'minimize_size/measure-image', 'minimize_size/zerofree');
    before(ids, 'minimize_size/zerofree', 'base/detach-loop-device');
    before(ids, 'base/detach-loop-device', 'minimize_size/shrink-image');
    before(ids, 'minimize_size/shrink-image', 'minimize_size/report-savings');
    before(ids, 'minimize_size/report-savings', 'base/export-image');
  });

  it('adds only the tasks the settings ask for', async () => {
    const { result } = await loadYaml(
      plugins,
      'plugins:\n  minimize_size:\n    dpkg:\n      exclude_docs: true\n',
    );
    assert.deepEqual(result.errors, []);
    const { result: r2 } = await loadYaml(plugins, 'plugins:\n  minimize_size: {}\n');
    assert.ok(r2.manifest);
    const names: string[] = [];
    minimizeSizePlugin.resolveTasks(result.manifest!, {
      add: (...t) => names.push(...t.map((x) => x.id)),
      remove: () => {},
      has: () => false,
    });
    assert.deepEqual(names, ['minimize_size/write-dpkg-filters', 'minimize_size/remove-filtered-files']);
    const none: string[] = [];
    minimizeSizePlugin.resolveTasks(r2.manifest!, {
      add: (...t) => none.push(...t.map((x) => x.id)),
      remove: () => {},
      has: () => false,
    });
    assert.deepEqual(none, []);
  });

  it('refuses vmware-vdiskmanager on a raw volume, at its line', async () => {
    const { file, result } = await loadYaml(plugins, 'plugins:\n  minimize_size:\n    shrink: true\n');
    assert.deepEqual(
      result.errors.map((e) => [e.pointer, e.file, e.line]),
      [['/plugins/minimize_size/shrink', file, 4]],
    );
    assert.match(result.errors[0]?.message ?? '', /vmdk images only, and volume.backing is raw/);
  });

  it('refuses a locale name with glob characters', async () => {
    const { result } = await loadYaml(
      plugins,
      "plugins:\n  minimize_size:\n    dpkg:\n      locales: ['*']\n",
    );
    assert.deepEqual(
      result.errors.map((e) => e.pointer),
      ['/plugins/minimize_size/dpkg/locales/0'],
    );
  });

  it('warns that zerofree does nothing on an xfs-only volume', async () => {
    const { result } = await loadYaml(
      plugins,
      'volume:\n  partitions:\n    root:\n      filesystem: xfs\nplugins:\n  minimize_size:\n    zerofree: true\n',
    );
    assert.deepEqual(result.errors, []);
    assert.ok(
      result.warnings.some((w) => w.pointer === '/plugins/minimize_size/zerofree'),
      JSON.stringify(result.warnings),
    );
  });
});

/**
 * The layers rule (eslint/import-layers.js) through the project's own eslint config: files that
 * reach into another plugin or past src/api, at any folder depth, fail `npx eslint`; the table in
 * ARCHITECTURE.md names every src/ folder and agrees with the rule's table.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ESLint } from 'eslint';
import { LAYERS } from '../../../eslint/import-layers.js';

const REPO = join(import.meta.dirname, '..', '..', '..');
let eslint: ESLint;

/** The layers rule's messages for `code` as if it were the file at `path` (which need not exist). */
async function layerErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(REPO, path) });
  assert.ok(result, `no result for ${path}`);
  return result.messages.filter((m) => m.ruleId === 'layers/import-layers').map((m) => m.message);
}

describe('eslint layers rule', () => {
  before(() => {
    eslint = new ESLint({ cwd: REPO });
  });

  it('refuses another plugin’s private files, at any depth', async () => {
    const errors = await layerErrors(
      'plugins/ec2_launch/deep/er/still.ts',
      "import { awsFor } from '../../../ec2/aws/context.js';\nexport const x = awsFor;\n",
    );
    assert.deepEqual(errors, ['plugin ec2_launch may use plugin ec2 only through plugins/ec2/public.ts']);
  });

  it('accepts a family’s public module and src/api, at any depth', async () => {
    const errors = await layerErrors(
      'plugins/ec2_publish/a/b/c.ts',
      "import { awsFor } from '../../../ec2/public.js';\n" +
        "import { BuildError } from '../../../../src/api/index.js';\n" +
        'export const x = [awsFor, BuildError];\n',
    );
    assert.deepEqual(errors, []);
  });

  it('refuses src/ outside the API from a plugin: import, re-export and dynamic import', async () => {
    const errors = await layerErrors(
      'plugins/kvm/one/two/three.ts',
      "import { basePlugin } from '../../../../src/base/base-plugin.js';\n" +
        "export * from '../../../../src/volume/mounts.js';\n" +
        "export const run = () => import('../../../../src/engine/run-plan.js');\n" +
        'export const y = basePlugin;\n',
    );
    assert.deepEqual(errors, [
      'plugins use src/api only, not src/base',
      'plugins use src/api only, not src/volume',
      'plugins use src/api only, not src/engine',
    ]);
  });

  it('refuses a plugin’s private files from a nested plugin folder (ec2/guest -> cloud_init)', async () => {
    const errors = await layerErrors(
      'plugins/ec2/guest/tasks-copy.ts',
      "import { DEFAULT_GROUPS } from '../../cloud_init/cloud-cfg.js';\nexport const g = DEFAULT_GROUPS;\n",
    );
    assert.deepEqual(errors, [
      'plugin ec2 may use plugin cloud_init only through plugins/cloud_init/public.ts',
    ]);
  });

  it('enforces the src/ layer table: core -/-> base, engine -/-> runner classes, api -/-> anything', async () => {
    assert.deepEqual(await layerErrors('src/core/x.ts', "import '../base/base-plugin.js';\n"), [
      'src/core may not import src/base (it may use src/api, src/engine, src/graph, src/manifest, src/registry, src/runner; ARCHITECTURE.md, layers)',
    ]);
    const engine = await layerErrors(
      'src/engine/x.ts',
      "import '../runner/host-runner.js';\nimport '../runner/recording-runner.js';\nimport '../runner/bound-runner.js';\n",
    );
    assert.equal(engine.length, 2);
    assert.match(engine[0] ?? '', /^src\/engine may not import src\/runner/);
    assert.deepEqual(await layerErrors('src/api/x.ts', "import '../volume/mounts.js';\n"), [
      'src/api may not import src/volume (it may use nothing else; ARCHITECTURE.md, layers)',
    ]);
    assert.deepEqual(await layerErrors('src/base/x/y/z.ts', "import '../../../../plugins/kvm/index.js';\n"), [
      'src/base may not import plugins (only src/registry lists them)',
    ]);
    // The CLI reaches a plugin family's tools (bootstrap unbundle) through its public.ts only.
    assert.deepEqual(
      await layerErrors(
        'src/cli/commands/x.ts',
        "import '../../../plugins/ec2/public.js';\nimport '../../../plugins/ec2/bundle/read-bundle.js';\n",
      ),
      ['src/cli may not import plugins (only src/registry lists them; the CLI may use a plugin public.ts)'],
    );
  });

  it('passes the tree’s own core, engine and ec2 family files', async () => {
    const files = [
      'src/core/make-plan.ts',
      'src/engine/dry-prepare.ts',
      'plugins/ec2_launch/launch-instance.ts',
    ];
    const results = await eslint.lintFiles(files.map((f) => join(REPO, f)));
    const layer = results.flatMap((r) => r.messages.filter((m) => m.ruleId === 'layers/import-layers'));
    assert.deepEqual(layer, []);
  });
});

describe('ARCHITECTURE.md layer table', () => {
  const folders = readdirSync(join(REPO, 'src'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  const text = readFileSync(join(REPO, 'ARCHITECTURE.md'), 'utf8');
  const table = text.slice(text.indexOf('## Layers'), text.indexOf('## 1.'));

  it('names every src/ folder', () => {
    const missing = folders.filter((f) => !table.includes(`\`src/${f}/\``));
    assert.deepEqual(missing, []);
  });

  it('has a row in the rule for every src/ folder, and none for a folder that is gone', () => {
    assert.deepEqual(Object.keys(LAYERS).sort(), [...folders].sort());
  });
});

/** Shipped manifests are found from any directory (`bootstrap manifests/debian-qemu.yml`). */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { resolveManifestPath } from '../../../src/cli/manifest-path.js';

const dir = mkdtempSync(join(tmpdir(), 'manifest-path-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const root = join(dir, 'pkg');
const cwd = join(dir, 'elsewhere');
mkdirSync(join(root, 'manifests'), { recursive: true });
mkdirSync(join(cwd, 'manifests'), { recursive: true });
writeFileSync(join(root, 'manifests', 'shipped.yml'), '');
writeFileSync(join(root, 'manifests', 'both.yml'), '');
writeFileSync(join(cwd, 'manifests', 'both.yml'), '');

test('a manifests/ path missing here is read from the package root', () => {
  assert.equal(
    resolveManifestPath('manifests/shipped.yml', cwd, root),
    join(root, 'manifests', 'shipped.yml'),
  );
  assert.equal(
    resolveManifestPath('./manifests/shipped.yml', cwd, root),
    join(root, 'manifests', 'shipped.yml'),
  );
});

test('a file in the current directory wins, and other paths are left alone', () => {
  assert.equal(resolveManifestPath('manifests/both.yml', cwd, root), 'manifests/both.yml');
  assert.equal(resolveManifestPath('manifests/none.yml', cwd, root), 'manifests/none.yml');
  assert.equal(resolveManifestPath('shipped.yml', join(root, 'manifests'), root), 'shipped.yml');
  assert.equal(resolveManifestPath('../manifests/shipped.yml', cwd, root), '../manifests/shipped.yml');
  const abs = join(dir, 'x', 'manifests', 'shipped.yml');
  assert.equal(resolveManifestPath(abs, cwd, root), abs);
});

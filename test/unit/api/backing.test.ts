/**
 * `volume.backing` is a union owned by the providers: each declares its backings, its manifest schema
 * allows exactly those, and the union holds no value that no provider offers (bootstrap-vz's folder,
 * lvm and vhd are not in it, so nothing can test for them).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  BACKINGS,
  BuildError,
  FILE_BACKINGS,
  isFileBacking,
  outputFormatOf,
  providerBacking,
  type Backing,
} from '../../../src/api/index.js';
import { BUILTIN_PLUGINS } from '../../../src/registry/builtin-registry.js';
import { PLUGIN_CATALOG } from '../../../src/registry/plugin-catalog.js';

const providers = BUILTIN_PLUGINS.filter((p) => p.kind === 'provider');

function schemaEnum(schema: unknown): unknown {
  const s = schema as { properties?: { volume?: { properties?: { backing?: { enum?: unknown } } } } };
  return s.properties?.volume?.properties?.backing?.enum;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

describe('volume backings', () => {
  it('every provider declares its backings, and its manifest schema allows exactly those', () => {
    assert.ok(providers.length >= 2);
    for (const p of providers) {
      assert.ok(p.backings && p.backings.length > 0, `${p.name} declares backings`);
      assert.deepEqual(schemaEnum(p.manifestSchema), [...p.backings], p.name);
      assert.deepEqual(PLUGIN_CATALOG.find((e) => e.name === p.name)?.backings, p.backings, p.name);
    }
    for (const p of BUILTIN_PLUGINS.filter((p) => p.kind !== 'provider'))
      assert.equal(p.backings, undefined, p.name);
  });

  it('the union is exactly what the providers offer', () => {
    const offered = new Set(providers.flatMap((p) => p.backings ?? []));
    assert.deepEqual([...offered].sort(), [...BACKINGS].sort());
    for (const b of FILE_BACKINGS) assert.ok(offered.has(b), b);
  });

  it('file backings and their output formats', () => {
    assert.deepEqual(
      BACKINGS.filter((b) => isFileBacking(b)),
      ['raw', 'qcow2', 'vmdk', 'vdi', 's3'],
    );
    assert.equal(isFileBacking('ebs'), false);
    assert.deepEqual(
      FILE_BACKINGS.map((b) => outputFormatOf(b)),
      ['raw', 'qcow2', 'vmdk', 'vdi', 'raw'],
    );
  });

  it("providerBacking narrows to a provider's backings and refuses another clearly", () => {
    const m = (backing: Backing) => ({ data: { volume: { backing } } });
    assert.equal(providerBacking(m('s3'), ['ebs', 's3', 'raw'] as const), 's3');
    assert.throws(
      () => providerBacking(m('qcow2'), ['ebs', 's3', 'raw'] as const),
      (e: unknown) =>
        e instanceof BuildError && /qcow2 is not one of this provider's: ebs, s3, raw/.test(e.message),
    );
  });

  it('no code compares volume.backing with a value outside the union', () => {
    const compared = /backing\s*[!=]==\s*'([^']+)'/g;
    const stray: string[] = [];
    for (const file of [...sourceFiles('src'), ...sourceFiles('plugins')]) {
      for (const m of readFileSync(file, 'utf8').matchAll(compared)) {
        if (!(BACKINGS as readonly string[]).includes(m[1] ?? '')) stray.push(`${file}: ${m[0]}`);
      }
    }
    assert.deepEqual(stray, []);
  });
});

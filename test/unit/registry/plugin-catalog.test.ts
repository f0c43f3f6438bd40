/**
 * The lazy registry (issue 17, item 6): the catalog says of each plugin what the loaded plugin says,
 * a manifest loads only the code of the plugins it uses, and the validator compiled at build time
 * gives the same errors as the one compiled at run time.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import type { ValidateFunction } from 'ajv';
import { basePlugin } from '../../../src/base/base-plugin.js';
import { makePlan } from '../../../src/core/make-plan.js';
import { loadManifest } from '../../../src/manifest/load-manifest.js';
import { compiledSchema, schemaHash } from '../../../src/manifest/schema-validator.js';
import { standaloneValidatorSource } from '../../../src/manifest/standalone-validator.js';
import { BUILTIN_PLUGINS } from '../../../src/registry/builtin-registry.js';
import { createLazyRegistry } from '../../../src/registry/lazy-registry.js';
import { BASE_ENTRY, PLUGIN_CATALOG } from '../../../src/registry/plugin-catalog.js';

const meta = (p: {
  name: string;
  kind: string;
  description: string;
  schema: unknown;
  manifestSchema?: unknown;
  backings?: unknown;
}) => ({
  name: p.name,
  kind: p.kind,
  description: p.description,
  schema: p.schema,
  manifestSchema: p.manifestSchema,
  backings: p.backings,
});

describe('plugin catalog', () => {
  it('lists the plugins of BUILTIN_PLUGINS with their name, kind, description and schemas', async () => {
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    assert.deepEqual([...PLUGIN_CATALOG].sort(byName).map(meta), [...BUILTIN_PLUGINS].sort(byName).map(meta));
    assert.deepEqual(meta(BASE_ENTRY), meta(basePlugin));
    for (const entry of PLUGIN_CATALOG) {
      assert.equal(
        await entry.load(),
        BUILTIN_PLUGINS.find((p) => p.name === entry.name),
        entry.name,
      );
    }
  });

  it('every after/before edge of every task names a task some plugin defines', () => {
    const ids = new Set([basePlugin, ...BUILTIN_PLUGINS].flatMap((p) => p.tasks.map((t) => t.id)));
    const dangling = [basePlugin, ...BUILTIN_PLUGINS]
      .flatMap((p) => p.tasks)
      .flatMap((t) =>
        [...(t.after ?? []), ...(t.before ?? [])]
          .filter((id) => !ids.has(id))
          .map((id) => `${t.id} -> ${id}`),
      );
    assert.deepEqual(dangling, []);
  });

  it('a kvm manifest loads the code of base and kvm only, and plans the same as with every plugin loaded', async () => {
    const registry = createLazyRegistry(PLUGIN_CATALOG, [BASE_ENTRY]);
    const r = await loadManifest('manifests/debian-qemu.yml', { registry });
    assert.ok(r.manifest, JSON.stringify(r.errors));
    const loaded = PLUGIN_CATALOG.filter((e) => registry.isLoaded(e.name)).map((e) => e.name);
    assert.deepEqual(loaded, ['kvm']);
    assert.ok(registry.isLoaded('base'));
    assert.throws(
      () => registry.get('ec2')?.resolveTasks(r.manifest!, { add() {}, remove() {}, has: () => false }),
      /before the registry loaded its code/,
    );
    const lazy = makePlan(r.manifest, registry).plan.tasks.map((t) => t.task.id);
    const all = createLazyRegistry(PLUGIN_CATALOG, [BASE_ENTRY]);
    await all.loadAll();
    assert.deepEqual(
      lazy,
      makePlan(r.manifest, all).plan.tasks.map((t) => t.task.id),
    );
  });
});

describe('the validator compiled at build time (scripts/compile-schema.mjs)', () => {
  // Inside the project, so the compiled code's require('ajv/...') finds node_modules.
  const cache = resolve('node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'precompiled-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the errors of the validator compiled at run time, on every bad and shipped manifest', () => {
    const registry = createLazyRegistry(PLUGIN_CATALOG, [BASE_ENTRY]);
    const file = join(dir, 'manifest-validator.cjs');
    writeFileSync(file, standaloneValidatorSource(registry));
    const module = createRequire(import.meta.url)(file) as { default: ValidateFunction; schemaHash: string };
    const { schema, validate } = compiledSchema(createLazyRegistry(PLUGIN_CATALOG, [BASE_ENTRY]));
    assert.equal(module.schemaHash, schemaHash(schema));
    const files = [
      ...readdirSync('test/fixtures/bad-manifests').map((f) => join('test/fixtures/bad-manifests', f)),
      ...readdirSync('manifests').map((f) => join('manifests', f)),
    ].filter((f) => /\.ya?ml$/.test(f));
    let compared = 0;
    for (const f of files) {
      let data: unknown;
      try {
        data = parse(readFileSync(f, 'utf8'));
      } catch {
        continue; // YAML errors never reach the schema
      }
      assert.equal(module.default(data), validate(data), f);
      assert.deepEqual(module.default.errors ?? null, validate.errors ?? null, f);
      compared++;
    }
    assert.ok(compared > 40, String(compared));
  });
});

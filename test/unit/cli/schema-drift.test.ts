/** The checked-in schema editors point at must be what `bootstrap schema` prints now. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildManifestSchema } from '../../../src/manifest/combined-schema.js';
import { builtinRegistry } from '../../../src/registry/lazy-registry.js';

test('schemas/bootstrap-manifest.schema.json is up to date (regenerate: npm run schema)', () => {
  const onDisk = JSON.parse(readFileSync('schemas/bootstrap-manifest.schema.json', 'utf8')) as unknown;
  assert.deepEqual(onDisk, buildManifestSchema(builtinRegistry()));
});

/**
 * The validator compiled at build time has its functions compiled with the module
 * (src/manifest/standalone-validator.ts, compiledWithTheModule): the same answers and errors as ajv's
 * own standalone code, with several functions (a recursive $ref), and a refusal of code of another shape.
 * That it agrees with the run-time validator on every shipped and bad manifest is in
 * test/unit/registry/plugin-catalog.test.ts.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import standaloneCode from 'ajv/dist/standalone/index.js';
import type { ValidateFunction } from 'ajv';
import { newAjv } from '../../../src/manifest/schema-validator.js';
import { compiledWithTheModule } from '../../../src/manifest/standalone-validator.js';

const requireHere = createRequire(import.meta.url);

/** Loads CommonJS source as a module, with this file's require. */
function load(code: string): ValidateFunction {
  const module = { exports: {} as { default?: ValidateFunction } };
  new Function('module', 'exports', 'require', code)(module, module.exports, requireHere);
  assert.equal(module.exports.default, module.exports, 'module.exports and its default are the validator');
  return module.exports as unknown as ValidateFunction;
}

const schema = {
  $id: 'https://example.invalid/tree.json',
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', pattern: '^[a-z]+$' },
    children: { type: 'array', items: { $ref: '#/$defs/node' } },
  },
  $defs: {
    node: {
      type: 'object',
      required: ['name'],
      properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/node' } } },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
};

describe('compiledWithTheModule', () => {
  const ajv = newAjv({ code: { source: true } });
  const code = standaloneCode.default(ajv, ajv.compile(schema));

  it('turns every validate function into a parenthesized expression and keeps the answers', () => {
    const declared = [...code.matchAll(/\bfunction (validate\d+)\(/g)].map((m) => m[1]);
    assert.ok(new Set(declared).size >= 2, `a recursive $ref gives several functions: ${declared.join()}`);
    const eager = compiledWithTheModule(code);
    for (const name of new Set(declared)) {
      assert.ok(eager.includes(`var ${name} = (function ${name}(`), name);
      assert.ok(!/(^|[;}])function validate\d+\(/.test(eager.replaceAll(`(function ${name}(`, '')), name);
    }
    const before = load(code);
    const after = load(eager);
    const samples: unknown[] = [
      { name: 'root' },
      { name: 'root', children: [{ name: 'a', children: [{ name: 'b' }] }] },
      { name: 'Root' },
      { name: 'root', children: [{ name: 'a', children: [{ nom: 'b' }] }], extra: 1 },
      [],
      null,
    ];
    for (const data of samples) {
      assert.equal(after(data), before(data), JSON.stringify(data));
      assert.deepEqual(after.errors ?? null, before.errors ?? null, JSON.stringify(data));
    }
  });

  it('refuses code that does not start as ajv writes it', () => {
    assert.throws(() => compiledWithTheModule(`"use strict";${code.replace(/^"use strict";/, '\n')}`), /ajv/);
  });
});

/**
 * The source of a CommonJS module holding the compiled validator of a registry's combined schema
 * (ajv's standalone code), with the schema's hash: scripts/compile-schema.mjs writes it at build time
 * and schema-validator.ts loads it instead of compiling, when the hash matches.
 */
import { createRequire } from 'node:module';
import { _ } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { buildManifestSchema } from './combined-schema.js';
import type { PluginRegistry } from './registry-types.js';
import { newAjv, schemaHash } from './schema-validator.js';

// ajv/dist/standalone is CommonJS: the default import is module.exports, whose `.default` is the
// function (as for ajv-formats in schema-validator.ts).
const generate = standaloneCode.default;

export function standaloneValidatorSource(registry: PluginRegistry): string {
  const schema = buildManifestSchema(registry);
  // The same options as at run time, plus source code kept, and formats required from ajv-formats
  // (the compiled code cannot hold the format functions themselves).
  const ajv = newAjv({ code: { source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` } });
  const code = compiledWithTheModule(generate(ajv, ajv.compile(schema)));
  return `${code}\nmodule.exports.schemaHash = ${JSON.stringify(schemaHash(schema))};\n`;
}

/**
 * ajv's standalone code declares its validate functions, and V8 compiles a declared function at its
 * first call: the manifest schema's validator is one function of about 320 KB, pre-parsed when the
 * module loads and parsed again at the first call, which cost about 50 ms of every
 * `bootstrap validate` (issue 17, item 6; scripts/bench-startup.mjs). A function expression in
 * parentheses is compiled with the module instead, once, and Node's compile cache keeps its code
 * (src/cli/compile-cache.ts). So each `function validateN(...) {...}` becomes
 * `var validateN = (function validateN(...) {...});`, all of them at the top of the module, where the
 * declarations were hoisted to (ajv's code uses them before their place: the exports, and the
 * wrappers of recursive references). Each function's text is what the engine gives as its source
 * (Function.prototype.toString), found exactly once in the code, so nothing is cut at a guessed brace.
 */
export function compiledWithTheModule(code: string): string {
  const strict = '"use strict";';
  if (!/^"use strict";module\.exports = (validate\d+);module\.exports\.default = \1;/.test(code)) {
    throw new Error(`ajv's standalone code does not start as expected: ${code.slice(0, 100)}`);
  }
  const names = [...new Set([...code.matchAll(/\bfunction (validate\d+)\(/g)].map((m) => m[1] as string))];
  const run = new Function('module', 'exports', 'require', `${code}\nreturn { ${names.join(', ')} };`) as (
    ...args: unknown[]
  ) => Record<string, (...args: unknown[]) => unknown>;
  const functions = run({ exports: {} }, {}, createRequire(import.meta.url));
  let rest = code.slice(strict.length);
  let top = '';
  for (const name of names) {
    const text = String(functions[name]);
    const at = rest.indexOf(text);
    if (at < 0 || rest.indexOf(text, at + 1) >= 0) {
      throw new Error(`the source of ${name} is not found once in ajv's standalone code`);
    }
    top += `var ${name} = (${text});\n`;
    rest = rest.slice(0, at) + rest.slice(at + text.length);
  }
  return `${strict}\n${top}${rest}`;
}

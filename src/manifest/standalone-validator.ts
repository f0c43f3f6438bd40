/**
 * The source of a CommonJS module holding the compiled validator of a registry's combined schema
 * (ajv's standalone code), with the schema's hash: scripts/compile-schema.mjs writes it at build time
 * and schema-validator.ts loads it instead of compiling, when the hash matches.
 */
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
  const code = generate(ajv, ajv.compile(schema));
  return `${code}\nmodule.exports.schemaHash = ${JSON.stringify(schemaHash(schema))};\n`;
}

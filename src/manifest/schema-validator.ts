/**
 * Compiles the combined schema with ajv once per registry (compiling is the slow part: about half a
 * second on these machines; validating a manifest afterwards takes well under a millisecond).
 * `npm run build` writes the compiled validator of the shipped plugins' schema next to this module
 * (manifest-validator.cjs, scripts/compile-schema.mjs); it is used when the schema's hash matches, so
 * `bootstrap validate` does not compile at all (issue 17, item 6). ajv itself (84 modules) loads only to
 * compile: with the precompiled validator the CLI never loads it.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Ajv2019, ErrorObject, Options, ValidateFunction } from 'ajv/dist/2019.js';
import type * as Ajv2019Module from 'ajv/dist/2019.js';
import type addFormatsModule from 'ajv-formats';
import type { JsonSchema } from '../api/plugin.js';
import { buildManifestSchema } from './combined-schema.js';
import { PATTERN_MESSAGE } from './core-schema.js';
import { pluginsOf, providersOf, type PluginRegistry } from './registry-types.js';

const requireCjs = createRequire(import.meta.url);

export interface CompiledSchema {
  readonly schema: JsonSchema;
  readonly validate: ValidateFunction;
}

const cache = new WeakMap<PluginRegistry, CompiledSchema>();

export function newAjv(extra: Options = {}): Ajv2019 {
  // Loaded here, not imported: synchronous (both are CommonJS), and only when a schema is compiled.
  const { Ajv2019 } = requireCjs('ajv/dist/2019.js') as typeof Ajv2019Module;
  // ajv-formats' module.exports is the plugin itself, and its `.default` too.
  const addFormats = requireCjs('ajv-formats') as typeof addFormatsModule.default;
  const ajv = new Ajv2019({
    ...extra,
    allErrors: true,
    verbose: true,
    // Unknown keywords in a plugin's schema are bugs worth failing on; the type-strictness rules
    // would reject ordinary schemas (e.g. `required` without `type: object` in an if/then).
    strict: false,
    strictSchema: true,
    strictNumbers: true,
  });
  addFormats(ajv);
  ajv.addKeyword({ keyword: PATTERN_MESSAGE, schemaType: 'string' });
  return ajv;
}

/** The compiled validator for a registry (compiled on first use, then cached). */
export function compiledSchema(registry: PluginRegistry): CompiledSchema {
  const hit = cache.get(registry);
  if (hit) return hit;
  const schema = buildManifestSchema(registry);
  let validate: ValidateFunction;
  try {
    validate = precompiled(schema) ?? newAjv().compile(schema);
  } catch (err) {
    // A broken plugin schema is a bug in that plugin, not in the manifest: say which one.
    throw new Error(`invalid JSON schema${culprit(registry)}: ${(err as Error).message}`);
  }
  const compiled = { schema, validate };
  cache.set(registry, compiled);
  return compiled;
}

/** The sha256 of the schema, as the precompiled validator records it. */
export function schemaHash(schema: JsonSchema): string {
  return createHash('sha256').update(JSON.stringify(schema)).digest('hex');
}

export const PRECOMPILED_FILE = 'manifest-validator.cjs';

/** The validator `npm run build` compiled, if it was compiled from this very schema. */
function precompiled(schema: JsonSchema): ValidateFunction | undefined {
  let module: { default: ValidateFunction; schemaHash?: string };
  try {
    // require, not import(): a CommonJS file loads synchronously, and compiledSchema is synchronous.
    module = requireCjs(`./${PRECOMPILED_FILE}`) as typeof module;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined; // under tsx
    throw err;
  }
  return module.schemaHash === schemaHash(schema) ? module.default : undefined;
}

function culprit(registry: PluginRegistry): string {
  for (const p of [...providersOf(registry), ...pluginsOf(registry)]) {
    for (const s of [p.schema, p.manifestSchema]) {
      if (!s) continue;
      try {
        const { $schema: _s, ...rest } = s;
        newAjv().compile(rest);
      } catch {
        return ` in ${p.kind} "${p.name}"`;
      }
    }
  }
  return '';
}

export function runValidation(registry: PluginRegistry, data: unknown): ErrorObject[] {
  const { validate } = compiledSchema(registry);
  return validate(data) ? [] : [...(validate.errors ?? [])];
}

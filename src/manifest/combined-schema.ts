/**
 * The schema validation uses and `bootstrap schema` prints: the core schema, plus for each provider
 * an `if provider.name is X then <its provider schema> and <its whole-manifest schema>`, plus each
 * plugin's settings schema under /plugins/properties/<name>, with `plugins` closed to known names.
 * Embedded schemas get their own `$id`, so a plugin's `$ref: '#/$defs/x'` still means its own root.
 */
import type { JsonSchema, Plugin } from '../api/plugin.js';
import { coreSchema, SCHEMA_BASE } from './core-schema.js';
import { pluginsOf, providersOf, type PluginRegistry } from './registry-types.js';

export function buildManifestSchema(registry: PluginRegistry): JsonSchema {
  const providers = providersOf(registry);
  const plugins = pluginsOf(registry);
  const core = structuredClone(coreSchema) as unknown as MutableSchema;
  const props = core['properties'] as Record<string, MutableSchema>;

  const provider = props['provider'] as MutableSchema;
  provider['properties'] = {
    name: {
      type: 'string',
      enum: providers.map((p) => p.name),
      description: `The provider: ${providers.map((p) => p.name).join(', ') || '(none registered)'}.`,
    },
  };

  props['plugins'] = {
    type: 'object',
    description: 'Enabled plugins and their settings; a plugin is enabled by being listed.',
    properties: Object.fromEntries(
      plugins.map((p) => [p.name, embed(p.schema, `plugins/${p.name}.json`, p.description)]),
    ),
    additionalProperties: false,
  };

  const branches = providers.map((p) => providerBranch(p));
  if (branches.length > 0) core['allOf'] = branches;
  return core;
}

type MutableSchema = Record<string, unknown>;

function providerBranch(p: Plugin): MutableSchema {
  const providerSchema = embed(p.schema, `providers/${p.name}.json`, p.description) as MutableSchema;
  // A provider that closes its section must still accept the `name` key that selected it.
  const props = providerSchema['properties'];
  if (props && typeof props === 'object' && !('name' in props)) {
    providerSchema['properties'] = { name: { const: p.name }, ...props };
  }
  const then: MutableSchema = { properties: { provider: providerSchema } };
  if (p.manifestSchema) then['allOf'] = [embed(p.manifestSchema, `providers/${p.name}-manifest.json`)];
  return {
    if: {
      properties: { provider: { properties: { name: { const: p.name } }, required: ['name'] } },
      required: ['provider'],
    },
    then,
  };
}

/** A copy of a plugin's schema fit to live inside ours: own $id, no nested $schema. */
function embed(schema: JsonSchema, id: string, description?: string): JsonSchema {
  const { $schema: _ignored, ...rest } = structuredClone(schema) as MutableSchema;
  return {
    ...(description !== undefined && rest['description'] === undefined ? { description } : {}),
    ...rest,
    $id: `${SCHEMA_BASE}${id}`,
  };
}

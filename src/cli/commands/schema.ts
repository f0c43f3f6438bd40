/** `bootstrap schema`: the combined JSON schema (core + providers + plugins) for editors. */
import { buildManifestSchema } from '../../manifest/combined-schema.js';
import { builtinRegistry } from '../../registry/lazy-registry.js';
import { EXIT_OK } from '../exit-codes.js';
import type { Output } from '../output.js';

export function schemaCommand(out: Output): number {
  out.out(JSON.stringify(buildManifestSchema(builtinRegistry()), null, 2));
  return EXIT_OK;
}

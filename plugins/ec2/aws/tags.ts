/**
 * Tags on every resource a build creates: the manifest's `tags` (bootstrap-vz variables expanded) and
 * the build tag `debian-image-bootstrap:run=<run id>`, which is how `bootstrap cleanup` finds a
 * resource whose id never reached the journal.
 */
import { BUILD_TAG_KEY, type Manifest } from '../../../src/api/index.js';

export function resourceTags(manifest: Manifest, runId: string): Record<string, string> {
  const tags: Record<string, string> = {};
  const declared = manifest.data.tags ?? {};
  for (const [key, value] of Object.entries(declared)) tags[key] = manifest.expand(String(value));
  tags[BUILD_TAG_KEY] = runId;
  return tags;
}

/** The EC2 TagSpecifications shape for one resource type. */
export function tagSpecification(
  resourceType: 'image' | 'snapshot' | 'volume',
  tags: Record<string, string>,
): { ResourceType: 'image' | 'snapshot' | 'volume'; Tags: { Key: string; Value: string }[] } {
  return { ResourceType: resourceType, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) };
}

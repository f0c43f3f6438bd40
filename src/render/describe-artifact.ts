import type { Artifact } from '../api/events.js';

/** One line for an artifact: its path or cloud id, or for a metric its name, value and unit. */
export function describeArtifact(a: Artifact): string {
  if (a.kind === 'metric') return `${a.name ?? ''} = ${a.value ?? '?'}${a.unit ? ` ${a.unit}` : ''}`;
  if (a.kind === 'instance') return `${a.id ?? ''} at ${a.name ?? '?'}`;
  return a.path ?? a.id ?? a.name ?? '';
}

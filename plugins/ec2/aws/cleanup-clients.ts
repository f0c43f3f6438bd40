/**
 * AWS clients for `bootstrap cleanup`'s cleaners: the same client set a build makes (credentials,
 * timeouts, path-style S3 for a custom endpoint), one per service, region, endpoint and profile, shared
 * by every cleaner of the ec2 family and closed once when cleanup is done.
 */
import type { CleanupScope } from '../../../src/api/index.js';
import { createAwsClients, type AwsClients, type AwsService } from './clients.js';

const clientsByScope = new Map<string, Promise<AwsClients>>();

/** Clients for one service of a cleanup scope; the journaled endpoint applies to that service. */
export function cleanupClients(scope: CleanupScope, service: AwsService): Promise<AwsClients> {
  const id = `${service} ${scope.region ?? ''} ${scope.endpoint ?? ''} ${scope.profile ?? ''}`;
  let clients = clientsByScope.get(id);
  if (!clients) {
    clients = createAwsClients({
      runId: scope.runId,
      ...(scope.region ? { region: scope.region } : {}),
      ...(scope.profile ? { profile: scope.profile } : {}),
      ...(scope.endpoint ? { endpoints: { [service]: scope.endpoint } } : {}),
    });
    clientsByScope.set(id, clients);
  }
  return clients;
}

/** Closes every cleaner's connections (cleanup calls each cleaner's dispose; more than once is fine). */
export async function closeCleanupClients(): Promise<void> {
  for (const clients of clientsByScope.values()) (await clients.catch(() => undefined))?.destroy();
  clientsByScope.clear();
}

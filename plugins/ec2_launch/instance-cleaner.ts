/**
 * `bootstrap cleanup` for ec2_launch: terminates a test instance that a killed build launched (found
 * by its journaled id, or by the build tag when RunInstances' answer never arrived).
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { CleanupScope, CloudCleaner } from '../../src/api/index.js';
import { createAwsClients, type AwsClients } from '../ec2/aws/clients.js';
import { taggedInstances, terminate } from './launch-instance.js';

const clientsByScope = new Map<string, Promise<AwsClients>>();

function ec2For(scope: CleanupScope): Promise<EC2Client> {
  const id = `${scope.region ?? ''} ${scope.endpoint ?? ''} ${scope.profile ?? ''}`;
  let clients = clientsByScope.get(id);
  if (!clients) {
    clients = createAwsClients({
      runId: scope.runId,
      ...(scope.region ? { region: scope.region } : {}),
      ...(scope.profile ? { profile: scope.profile } : {}),
      ...(scope.endpoint ? { endpoints: { ec2: scope.endpoint } } : {}),
    });
    clientsByScope.set(id, clients);
  }
  return clients.then((c) => c.ec2);
}

export const instanceCleaner: CloudCleaner = {
  kind: 'instance',
  async findTagged(scope) {
    return taggedInstances(await ec2For(scope), scope.runId);
  },
  async remove(id, scope) {
    return terminate(await ec2For(scope), [id]);
  },
  async dispose() {
    for (const clients of clientsByScope.values()) (await clients.catch(() => undefined))?.destroy();
    clientsByScope.clear();
  },
};

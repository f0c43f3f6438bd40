/**
 * `bootstrap cleanup` for ec2_launch: terminates a test instance that a killed build launched (found
 * by its journaled id, or by the build tag when RunInstances' answer never arrived).
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { CleanupScope, CloudCleaner } from '../../src/api/index.js';
import { cleanupClients, closeCleanupClients } from '../ec2/public.js';
import { taggedInstances, terminate } from './launch-instance.js';

function ec2For(scope: CleanupScope): Promise<EC2Client> {
  return cleanupClients(scope, 'ec2').then((c) => c.ec2);
}

export const instanceCleaner: CloudCleaner = {
  kind: 'instance',
  async findTagged(scope) {
    return taggedInstances(await ec2For(scope), scope.runId);
  },
  async remove(id, scope) {
    return terminate(await ec2For(scope), [id]);
  },
  dispose: closeCleanupClients,
};

/** How EC2 tasks reach the build's AWS clients and the manifest's AWS settings. */
import { BuildError, type Manifest, type TaskContext } from '../../../src/api/index.js';
import type { AwsClients, AwsClientSettings } from './clients.js';
import { AWS_CLIENTS, AWS_REGION_HINT } from './state.js';

/** The build's clients, with calls from now on recorded as this task's. */
export function awsFor(ctx: TaskContext): AwsClients {
  const clients = ctx.state.get(AWS_CLIENTS);
  if (!clients) throw new BuildError(`${ctx.taskId}: no AWS connection (ec2/connect has not run)`);
  clients.useSink({ record: (call) => ctx.recordCloudCall(call), log: (level, msg) => ctx.log(level, msg) });
  return clients;
}

interface ProviderAwsKeys {
  region?: string;
  profile?: string;
  assume_role?: string;
  endpoints?: Record<string, string>;
  credentials?: { 'access-key'?: string; 'secret-key'?: string; profile?: string };
}

/** The client settings the manifest asks for (region falls back to a task's hint, then the SDK). */
export function clientSettings(ctx: TaskContext): AwsClientSettings {
  const p = ctx.manifest.data.provider as ProviderAwsKeys;
  const region = p.region ?? ctx.state.get(AWS_REGION_HINT);
  const profile = p.profile ?? p.credentials?.profile;
  return {
    runId: ctx.runId,
    ...(region ? { region } : {}),
    ...(profile ? { profile } : {}),
    ...(p.assume_role ? { assumeRole: p.assume_role } : {}),
    ...(p.endpoints ? { endpoints: p.endpoints } : {}),
    ...(p.credentials?.['access-key'] ? { accessKey: p.credentials['access-key'] } : {}),
    ...(p.credentials?.['secret-key'] ? { secretKey: p.credentials['secret-key'] } : {}),
  };
}

/** For dry runs, which make no call: the region as far as it is known without the SDK. */
export function dryRunRegion(ctx: TaskContext): string {
  return clientSettings(ctx).region ?? process.env.AWS_REGION ?? '(the SDK default region)';
}

/** The AMI's name: the manifest's `name`, bootstrap-vz variables expanded. */
export function amiName(manifest: Manifest): string {
  return manifest.expand(manifest.data.name);
}

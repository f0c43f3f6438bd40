/** How EC2 tasks reach the build's AWS clients and the manifest's AWS settings. */
import { type CloudClientKind, type Manifest, type TaskContext } from '../../../src/api/index.js';
import { createAwsClients, type AwsClients, type AwsClientSettings } from './clients.js';
import { AWS_REGION_HINT } from './state.js';

/**
 * The ec2 family's clients as a kind the engine makes and hands to tasks (src/api/cloud-clients.ts):
 * the real EC2, EBS, S3 and STS clients from the manifest's settings, or in a dry run the same clients
 * answering in process (dry-run-answers.ts). Made on first use (ec2/connect, which runs after the EBS
 * route has read the build instance's region), closed by the engine after the rollback.
 */
export const AWS: CloudClientKind<AwsClients> = {
  name: 'aws',
  connect: (ctx) => createAwsClients(clientSettings(ctx)),
  record: (ctx) => createAwsClients({ ...clientSettings(ctx), dryRun: true }),
  close: (clients) => clients.destroy(),
};

/**
 * The build's AWS clients from the context (made by the engine on first use: real ones, recording
 * ones in a dry run, or a test's), with calls from now on recorded as this task's.
 */
export async function awsFor(ctx: TaskContext): Promise<AwsClients> {
  const clients = await ctx.cloud(AWS);
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

/** The AMI's name: the manifest's `name`, bootstrap-vz variables expanded. */
export function amiName(manifest: Manifest): string {
  return manifest.expand(manifest.data.name);
}

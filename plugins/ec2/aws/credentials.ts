/**
 * Where the build's AWS credentials come from, in bootstrap-vz's order first: the manifest's
 * provider.credentials access-key/secret-key, then its AWS_ACCESS_KEY/AWS_SECRET_KEY variables; then
 * (added) provider.profile, then the SDK's default chain (AWS_ACCESS_KEY_ID..., shared config, SSO,
 * container and instance roles). provider.assume_role wraps whichever applies with STS AssumeRole.
 * Secret values are marked for the log masker as soon as they are read.
 */
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { EC2ClientConfig } from '@aws-sdk/client-ec2';
import { markSecret } from '../../../src/api/index.js';

export type CredentialsOption = EC2ClientConfig['credentials'];

export interface CredentialSettings {
  readonly accessKey?: string;
  readonly secretKey?: string;
  readonly profile?: string;
  readonly assumeRole?: string;
}

export interface ResolvedCredentials {
  /** Undefined: let the SDK's default chain decide. */
  readonly credentials: CredentialsOption | undefined;
  /** For the log: where the credentials come from (never the values). */
  readonly source: string;
}

export function resolveCredentials(
  settings: CredentialSettings,
  env: NodeJS.ProcessEnv,
  runId: string,
  stsConfig: { region: string; endpoint?: string },
): ResolvedCredentials {
  const base = baseCredentials(settings, env);
  if (!settings.assumeRole) return base;
  return {
    credentials: fromTemporaryCredentials({
      params: { RoleArn: settings.assumeRole, RoleSessionName: `debian-image-bootstrap-${runId}` },
      ...(base.credentials ? { masterCredentials: base.credentials as never } : {}),
      clientConfig: {
        region: stsConfig.region,
        ...(stsConfig.endpoint ? { endpoint: stsConfig.endpoint } : {}),
      },
    }),
    source: `role ${settings.assumeRole} assumed with ${base.source}`,
  };
}

function baseCredentials(settings: CredentialSettings, env: NodeJS.ProcessEnv): ResolvedCredentials {
  if (settings.accessKey && settings.secretKey) {
    markSecret(settings.secretKey);
    return {
      credentials: { accessKeyId: settings.accessKey, secretAccessKey: settings.secretKey },
      source: 'provider.credentials in the manifest',
    };
  }
  const envKey = env.AWS_ACCESS_KEY;
  const envSecret = env.AWS_SECRET_KEY;
  if (envKey && envSecret) {
    markSecret(envSecret);
    return {
      credentials: { accessKeyId: envKey, secretAccessKey: envSecret },
      source: 'AWS_ACCESS_KEY/AWS_SECRET_KEY',
    };
  }
  if (env.AWS_SECRET_ACCESS_KEY) markSecret(env.AWS_SECRET_ACCESS_KEY);
  if (env.AWS_SESSION_TOKEN) markSecret(env.AWS_SESSION_TOKEN);
  if (settings.profile) {
    return {
      credentials: fromNodeProviderChain({ profile: settings.profile }),
      source: `profile ${settings.profile}`,
    };
  }
  return { credentials: undefined, source: "the SDK's default chain" };
}

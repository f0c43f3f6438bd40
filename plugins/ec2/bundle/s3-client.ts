/**
 * The S3 client the bundle upload uses, until the EC2 provider's shared client factory covers S3: the
 * manifest's region, its `endpoints.s3` (else the SDK's own AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL), and
 * path-style addressing whenever the endpoint is not AWS's, because a local server (moto, MinIO) has no
 * `<bucket>.<host>` DNS names. Credentials come from provider.credentials access-key/secret-key when both
 * are set, else the SDK chain (environment, profile, instance role).
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

export interface S3Settings {
  readonly region: string;
  readonly endpoint?: string | undefined;
  readonly accessKeyId?: string | undefined;
  readonly secretAccessKey?: string | undefined;
  readonly profile?: string | undefined;
}

export function s3Settings(provider: Readonly<Record<string, unknown>>, env = process.env): S3Settings {
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const creds = (provider.credentials ?? {}) as Record<string, unknown>;
  const endpoints = (provider.endpoints ?? {}) as Record<string, unknown>;
  return {
    region: str(provider.region) ?? env.AWS_REGION ?? 'us-east-1',
    endpoint: str(endpoints.s3) ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL,
    accessKeyId: str(creds['access-key']),
    secretAccessKey: str(creds['secret-key']),
    profile: str(provider.profile) ?? str(creds.profile),
  };
}

export function createS3Client(settings: S3Settings): S3Client {
  const config: S3ClientConfig = { region: settings.region, maxAttempts: 5 };
  if (settings.endpoint) {
    config.endpoint = settings.endpoint;
    config.forcePathStyle = true;
  }
  if (settings.accessKeyId && settings.secretAccessKey)
    config.credentials = { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey };
  else if (settings.profile) config.profile = settings.profile;
  return new S3Client(config);
}

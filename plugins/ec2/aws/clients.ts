/**
 * One set of AWS clients per build (cached in BuildState by ec2/connect): EC2, EBS (direct APIs), S3
 * and STS, all with the same region, credentials, timeouts and call recorder.
 *
 * - Region: provider.region, else what a task found (the build instance's region), else the SDK's
 *   configuration (AWS_REGION, the profile's region), else a BuildError saying how to set one.
 * - Credentials: see credentials.ts.
 * - Endpoints: provider.endpoints.<service> wins; otherwise the SDK itself honours AWS_ENDPOINT_URL and
 *   AWS_ENDPOINT_URL_<SERVICE>. The effective endpoint is also journaled with each resource, so
 *   `bootstrap cleanup` talks to the same server (an emulator, a compatible cloud).
 * - Each request has a connection and a request timeout, so a dead connection fails a call (and is
 *   retried) instead of hanging the build; EBS retries are the uploader's own (maxAttempts 1).
 */
import { EBSClient } from '@aws-sdk/client-ebs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { BuildError, type CloudCall } from '../../../src/api/index.js';
import {
  UPLOAD_EBS_CLIENT_CONFIG,
  uploadImageToSnapshot,
  type SnapshotUploadOptions,
  type SnapshotUploadResult,
} from '../snapshot-upload/index.js';
import { recordImageUpload } from '../snapshot-upload/record-upload.js';
import { attachCallRecorder, type CallSink } from './call-recorder.js';
import { answerWithoutSending, createDryRunResponder } from './dry-run-answers.js';
import { resolveCredentials, type CredentialSettings } from './credentials.js';

export type AwsService = 'ec2' | 'ebs' | 's3' | 'sts';

export interface AwsClientSettings extends CredentialSettings {
  readonly region?: string;
  readonly endpoints?: Readonly<Record<string, string>>;
  readonly runId: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Milliseconds; defaults suit API calls (block uploads set their own per-attempt timeout). */
  readonly requestTimeoutMs?: number;
  readonly maxAttempts?: number;
  /**
   * Clients for `--dry-run`: every call is recorded and answered in process (dry-run-answers.ts),
   * none is sent; no credentials are looked up and the region is taken as given.
   */
  readonly dryRun?: boolean;
}

export interface AwsClients {
  readonly region: string;
  readonly ec2: EC2Client;
  readonly ebs: EBSClient;
  readonly s3: S3Client;
  readonly sts: STSClient;
  /** Where the credentials came from, for the log. */
  readonly credentialSource: string;
  /** The endpoint each service talks to when it is not AWS's default, for the journal. */
  endpointOf(service: AwsService): string | undefined;
  /** Where a resource made through `service` lives, as the journal records it (region, endpoint). */
  journalScope(service: AwsService): { region: string; endpoint?: string };
  /** Sets where calls are recorded from now on (the running task's context). */
  useSink(sink: CallSink | undefined): void;
  /** Records a call that is not an SDK request (a summary the dry run's stand-ins give). */
  record(call: CloudCall): void;
  /** True for dry-run clients, which send nothing. */
  readonly dryRun: boolean;
  /**
   * Writes an image file into a new EBS snapshot with these clients (snapshot-upload); the dry run's
   * clients send the requests around the blocks to their recorder and sum the blocks in one entry.
   */
  uploadImage(o: Omit<SnapshotUploadOptions, 'ebs'>): Promise<SnapshotUploadResult>;
  /** The same clients for another region (made once, recorded into the same sink, closed with these). */
  inRegion(region: string): Promise<AwsClients>;
  destroy(): void;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
const CONNECTION_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_ATTEMPTS = 5;

/** AWS_ENDPOINT_URL_<SERVICE> uses the SDK's service id, upper-cased with spaces as underscores. */
const ENV_SERVICE_ID: Record<AwsService, string> = { ec2: 'EC2', ebs: 'EBS', s3: 'S3', sts: 'STS' };

export function endpointFor(
  service: AwsService,
  endpoints: Readonly<Record<string, string>> | undefined,
  env: NodeJS.ProcessEnv,
): string | undefined {
  return (
    endpoints?.[service] ??
    env[`AWS_ENDPOINT_URL_${ENV_SERVICE_ID[service]}`] ??
    env.AWS_ENDPOINT_URL ??
    undefined
  );
}

/** The region from the settings or the SDK's configuration; a BuildError when there is none. */
export async function resolveRegion(region: string | undefined): Promise<string> {
  if (region) return region;
  // The SDK's own resolution: AWS_REGION, AWS_DEFAULT_REGION is not read by v3, the profile's region.
  const probe = new STSClient({});
  try {
    return await probe.config.region();
  } catch {
    throw new BuildError(
      'no AWS region: set provider.region in the manifest, or AWS_REGION, or a region in the AWS profile',
    );
  } finally {
    probe.destroy();
  }
}

/** What a dry run says the region is when neither the manifest nor AWS_REGION sets it. */
export const DRY_RUN_DEFAULT_REGION = '(the SDK default region)';

export async function createAwsClients(settings: AwsClientSettings): Promise<AwsClients> {
  const env = settings.env ?? process.env;
  const dryRun = settings.dryRun ?? false;
  // A dry run asks no configuration file and no credential provider: it sends nothing.
  const region = dryRun
    ? (settings.region ?? env.AWS_REGION ?? DRY_RUN_DEFAULT_REGION)
    : await resolveRegion(settings.region);
  const stsEndpoint = endpointFor('sts', settings.endpoints, env);
  const { credentials, source } = dryRun
    ? { credentials: { accessKeyId: 'dry-run', secretAccessKey: 'dry-run' }, source: 'nowhere (dry run)' }
    : resolveCredentials(settings, env, settings.runId, {
        region,
        ...(stsEndpoint ? { endpoint: stsEndpoint } : {}),
      });
  const common = {
    region,
    ...(credentials ? { credentials } : {}),
    maxAttempts: settings.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    requestHandler: {
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: settings.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    },
  };
  const explicit = (service: AwsService) => {
    const url = settings.endpoints?.[service];
    return url ? { endpoint: url } : {};
  };
  const s3Endpoint = endpointFor('s3', settings.endpoints, env);
  const ec2 = new EC2Client({ ...common, ...explicit('ec2') });
  const ebs = new EBSClient({ ...common, ...UPLOAD_EBS_CLIENT_CONFIG, ...explicit('ebs') });
  // Path-style addressing: a custom endpoint (an emulator, a compatible store) rarely has
  // bucket-name DNS.
  const s3 = new S3Client({ ...common, ...explicit('s3'), ...(s3Endpoint ? { forcePathStyle: true } : {}) });
  const sts = new STSClient({ ...common, ...explicit('sts') });

  let sink: CallSink | undefined;
  const respond = createDryRunResponder();
  const traceFile = env.BOOTSTRAP_AWS_TRACE || undefined;
  for (const [service, client] of [
    ['ec2', ec2],
    ['ebs', ebs],
    ['s3', s3],
    ['sts', sts],
  ] as const) {
    attachCallRecorder(client, service, region, () => sink, dryRun ? undefined : traceFile);
    if (dryRun) answerWithoutSending(client, respond);
  }
  const regions = new Map<string, Promise<AwsClients>>();
  return {
    region,
    ec2,
    ebs,
    s3,
    sts,
    credentialSource: source,
    dryRun,
    endpointOf: (service) => endpointFor(service, settings.endpoints, env),
    journalScope(service) {
      const endpoint = endpointFor(service, settings.endpoints, env);
      return { region, ...(endpoint ? { endpoint } : {}) };
    },
    useSink(next) {
      sink = next;
    },
    record(call) {
      sink?.record(call);
    },
    uploadImage: (o) =>
      dryRun
        ? recordImageUpload({ ...o, ebs }, (call) => sink?.record({ ...call, region }))
        : uploadImageToSnapshot({ ...o, ebs }),
    inRegion(other) {
      if (other === region) return Promise.resolve(this);
      let clients = regions.get(other);
      if (!clients) {
        clients = createAwsClients({ ...settings, region: other }).then((c) => {
          c.useSink({ record: (call) => sink?.record(call), log: (level, m) => sink?.log(level, m) });
          return c;
        });
        regions.set(other, clients);
      }
      return clients;
    },
    destroy() {
      for (const c of [ec2, ebs, s3, sts]) c.destroy();
      for (const other of regions.values()) void other.then((c) => c.destroy()).catch(() => undefined);
    },
  };
}

/**
 * The bundle a `bootstrap unbundle` argument names: a local `<name>.manifest.xml` with its parts next
 * to it, or `s3://bucket/path/<name>.manifest.xml` read with the ec2 family's AWS clients (credentials
 * and endpoints from the environment as for a build; `region`, `endpoint` from the command line).
 */
import { createAwsClients } from '../aws/clients.js';
import { localBundleSource, UnbundleError, type BundleSource } from './read-bundle.js';
import { parseS3Url, s3BundleSource } from './s3-bundle-source.js';

export interface OpenedBundleSource {
  readonly source: BundleSource;
  close(): void;
}

export async function openBundleSource(
  location: string,
  options: { readonly region?: string; readonly endpoint?: string; readonly signal?: AbortSignal } = {},
): Promise<OpenedBundleSource> {
  if (!location.startsWith('s3://')) return { source: localBundleSource(location), close: () => undefined };
  const where = parseS3Url(location);
  if (!where || !where.key.endsWith('.manifest.xml'))
    throw new UnbundleError(`${location}: expected s3://BUCKET/PATH/NAME.manifest.xml`, true);
  let clients;
  try {
    clients = await createAwsClients({
      runId: 'unbundle',
      ...(options.region ? { region: options.region } : {}),
      ...(options.endpoint ? { endpoints: { s3: options.endpoint } } : {}),
    });
  } catch (err) {
    throw new UnbundleError(
      `cannot reach S3: ${(err as Error).message.replace(/^no AWS region:.*/, 'no AWS region: give --region or set AWS_REGION')}`,
      true,
    );
  }
  const aws = clients;
  return { source: s3BundleSource(aws.s3, where, options.signal), close: () => aws.destroy() };
}

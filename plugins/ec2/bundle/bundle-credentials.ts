/**
 * The bundle credentials, found as bootstrap-vz found them (tasks/connection.py): the manifest's
 * provider.credentials if it has all three keys, else the environment (AWS_CERTIFICATE, AWS_PRIVATE_KEY,
 * AWS_USER_ID) if it has all three. Certificate and key are file paths. A source with only some of the
 * keys is not mixed with another: that is how a stale variable ends up signing with the wrong key.
 */
import { readFile } from 'node:fs/promises';

export interface BundleCredentialPaths {
  readonly certificatePath: string;
  readonly privateKeyPath: string;
  readonly userId: string;
  /** Where they came from, for messages (never the values of the key). */
  readonly source: 'manifest' | 'environment';
}

export interface BundleCredentials {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  readonly userId: string;
}

const ENV = {
  certificate: 'AWS_CERTIFICATE',
  'private-key': 'AWS_PRIVATE_KEY',
  'user-id': 'AWS_USER_ID',
} as const;

type Keys = keyof typeof ENV;

/** The paths and user id, or the reason none could be found. */
export function findBundleCredentials(
  manifestCredentials: Readonly<Record<string, unknown>> | undefined,
  env: NodeJS.ProcessEnv = process.env,
): BundleCredentialPaths | { readonly missing: string } {
  const fromManifest = (k: Keys): string | undefined => {
    const v = manifestCredentials?.[k];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const fromEnv = (k: Keys): string | undefined => env[ENV[k]] || undefined;
  for (const [source, get] of [
    ['manifest', fromManifest],
    ['environment', fromEnv],
  ] as const) {
    const certificatePath = get('certificate');
    const privateKeyPath = get('private-key');
    const userId = get('user-id');
    if (certificatePath && privateKeyPath && userId)
      return { certificatePath, privateKeyPath, userId, source };
  }
  return {
    missing:
      'S3 bundles need the user certificate, its private key and the account id: set all of ' +
      'provider.credentials.certificate, private-key and user-id, or all of the environment variables ' +
      'AWS_CERTIFICATE, AWS_PRIVATE_KEY and AWS_USER_ID (certificate and key are PEM file paths)',
  };
}

/** Reads the PEM files; a missing or unreadable file is named in the message. */
export async function readBundleCredentials(paths: BundleCredentialPaths): Promise<BundleCredentials> {
  const read = async (path: string, what: string): Promise<string> => {
    try {
      return await readFile(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new Error(`cannot read the ${what} ${path} (from the ${paths.source}): ${code}`);
    }
  };
  return {
    certificatePem: await read(paths.certificatePath, 'user certificate'),
    privateKeyPem: await read(paths.privateKeyPath, 'user private key'),
    userId: paths.userId,
  };
}

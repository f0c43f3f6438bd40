/**
 * ec2/connect: the build's first use of its AWS clients (made by the engine, src/api/cloud-clients.ts),
 * which checks the credentials with STS GetCallerIdentity,
 * so missing or wrong credentials fail in the preparation phase, before an image is built, with a
 * message that says where the credentials came from and what to set.
 */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { BuildError, type TaskContext } from '../../../src/api/index.js';
import { awsFor } from './context.js';
import { AWS_ACCOUNT_ID } from './state.js';

/** The first use of the build's clients (the engine makes them), checked with the cheapest call. */
export async function connectToAws(ctx: TaskContext): Promise<void> {
  const { sts, region, credentialSource } = await awsFor(ctx);
  let identity;
  try {
    identity = await sts.send(new GetCallerIdentityCommand({}), { abortSignal: ctx.signal });
  } catch (error) {
    throw credentialError(error, credentialSource, region);
  }
  if (identity.Account) ctx.state.set(AWS_ACCOUNT_ID, identity.Account);
  ctx.log(
    'info',
    `AWS account ${identity.Account ?? '?'} (${identity.Arn ?? '?'}) in ${region}, credentials from ${credentialSource}`,
  );
}

function credentialError(error: unknown, source: string, region: string): BuildError {
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return new BuildError(
      'no AWS credentials found',
      'set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or provider.profile, or run on a host with an instance role',
    );
  }
  if (name === 'AbortError') return new BuildError('interrupted while checking the AWS credentials');
  return new BuildError(
    `AWS refused the credentials from ${source} (STS GetCallerIdentity in ${region}): ${name ? `${name}: ` : ''}${message.split('\n')[0]}`,
    'check the access key and secret, the profile, or the session token (it may have expired)',
  );
}

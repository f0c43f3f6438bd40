/**
 * ec2/connect: makes the build's AWS clients and checks the credentials with STS GetCallerIdentity,
 * so missing or wrong credentials fail in the preparation phase, before an image is built, with a
 * message that says where the credentials came from and what to set.
 */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { BuildError, type TaskContext } from '../../../src/api/index.js';
import { createAwsClients } from './clients.js';
import { awsFor, clientSettings, dryRunRegion } from './context.js';
import { AWS_ACCOUNT_ID, AWS_CLIENTS } from './state.js';

export async function connectToAws(ctx: TaskContext): Promise<void> {
  if (ctx.dryRun) {
    ctx.recordCloudCall({
      service: 'sts',
      operation: 'GetCallerIdentity',
      params: { region: dryRunRegion(ctx) },
    });
    return;
  }
  const clients = await createAwsClients(clientSettings(ctx));
  ctx.state.set(AWS_CLIENTS, clients);
  const { sts, region, credentialSource } = awsFor(ctx);
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

/** Closes the clients' connections; runs last on rollback, since every other undo needs them. */
export async function disconnectFromAws(ctx: TaskContext): Promise<void> {
  ctx.state.get(AWS_CLIENTS)?.destroy();
  ctx.state.set(AWS_CLIENTS, undefined);
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

/** AWS error classification shared by the undo steps and the cleaners. */

/** Error codes meaning the resource is already gone, so a delete has nothing left to do. */
const GONE = new Set([
  'InvalidSnapshot.NotFound',
  'InvalidAMIID.NotFound',
  'InvalidAMIID.Unavailable',
  'InvalidVolume.NotFound',
  'NoSuchKey',
  'NotFound',
  'ResourceNotFoundException',
]);

export function isGone(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { Code?: string }).Code ?? error.name;
  return GONE.has(code);
}

export function awsErrorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { Code?: string }).Code ?? error.name;
  return code && code !== 'Error' ? `${code}: ${error.message}` : error.message;
}

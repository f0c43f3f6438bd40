/**
 * How a plugin marks a value as secret (an access key read from the manifest, a session token) so
 * the log, the terminal and the report show `***` instead. The masker lives in src/log (which the
 * public API may not import); it installs itself here as the handler when loaded, and values marked
 * before that are handed over then.
 */
type SecretHandler = (value: string) => void;

let handler: SecretHandler | undefined;
const pending: string[] = [];

export function markSecret(value: string): void {
  if (handler) handler(value);
  else pending.push(value);
}

/** Called once by src/log/secrets.ts. */
export function setSecretHandler(h: SecretHandler): void {
  handler = h;
  for (const value of pending.splice(0)) h(value);
}

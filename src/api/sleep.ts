/**
 * A wait that a build's abort signal cuts short, for tasks that poll or back off (AWS waits, retries,
 * the bootstrapper's retries). It rejects with the signal's reason, as the commands a task runs do,
 * so an interrupted wait fails like an interrupted command. One copy instead of one per plugin.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

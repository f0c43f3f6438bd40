/**
 * Signal handling for the CLI (the engine itself never touches `process`): the first SIGINT or
 * SIGTERM aborts `signal`, so the engine stops and rolls back; a second one aborts `abortRollback`,
 * for a user who would rather clean up by hand than wait. Later signals are ignored while the
 * handlers are installed, so the rollback report still gets written.
 */
export interface InterruptHandlers {
  readonly signal: AbortSignal;
  readonly abortRollback: AbortSignal;
  /** Removes the handlers (call when the build is over). */
  dispose(): void;
}

export interface InterruptOptions {
  /** Told about the first signal, e.g. to print "rolling back, press Ctrl-C again to stop". */
  readonly onFirst?: (signal: NodeJS.Signals) => void;
  /** Told about the second signal, when the rollback is being aborted. */
  readonly onSecond?: (signal: NodeJS.Signals) => void;
  /** Where the handlers go (default `process`); tests pass an EventEmitter. */
  readonly target?: Pick<NodeJS.EventEmitter, 'on' | 'off'>;
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

export function installInterruptHandlers(opts: InterruptOptions = {}): InterruptHandlers {
  const target = opts.target ?? process;
  const build = new AbortController();
  const rollback = new AbortController();
  let count = 0;
  const handler = (sig: NodeJS.Signals) => {
    count += 1;
    if (count === 1) {
      build.abort(new Error(`interrupted by ${sig}`));
      opts.onFirst?.(sig);
    } else if (count === 2) {
      rollback.abort(new Error(`rollback aborted by ${sig}`));
      opts.onSecond?.(sig);
    }
  };
  for (const sig of SIGNALS) target.on(sig, handler);
  return {
    signal: build.signal,
    abortRollback: rollback.signal,
    dispose: () => {
      for (const sig of SIGNALS) target.off(sig, handler);
    },
  };
}

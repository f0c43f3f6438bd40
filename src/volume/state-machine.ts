/**
 * A tiny finite-state machine for build resources (image file, loop device, partition table, mounts).
 * bootstrap-vz used the `fysom` library for the same purpose; what matters is that an illegal
 * transition throws with the resource, the event and the state in the message, so a task that runs a
 * step twice or out of order fails loudly instead of, say, formatting a detached device.
 */
export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError';
  constructor(
    readonly resource: string,
    readonly event: string,
    readonly state: string,
    readonly allowedFrom: readonly string[],
  ) {
    super(`${resource}: cannot ${event} while ${state} (allowed from: ${allowedFrom.join(', ')})`);
  }
}

export type Transitions<S extends string, E extends string> = Readonly<
  Record<E, { readonly from: readonly S[]; readonly to: S }>
>;

export class StateMachine<S extends string, E extends string> {
  #state: S;

  constructor(
    /** Names the resource in error messages, e.g. `loop device /dev/loop0`. */
    public resource: string,
    initial: S,
    private readonly transitions: Transitions<S, E>,
  ) {
    this.#state = initial;
  }

  get state(): S {
    return this.#state;
  }

  is(...states: readonly S[]): boolean {
    return states.includes(this.#state);
  }

  /** Throws unless `event` is allowed in the current state; does not change the state. */
  assert(event: E): void {
    const t = this.transitions[event];
    if (!t.from.includes(this.#state)) {
      throw new IllegalTransitionError(this.resource, event, this.#state, t.from);
    }
  }

  /** Moves to the event's target state; call after the side effect succeeded. */
  fire(event: E): void {
    this.assert(event);
    this.#state = this.transitions[event].to;
  }

  /**
   * Forces a state without checking, for resources restored from elsewhere (bootstrap-vz's
   * prebootstrapped plugin does the same with `set_fs_states`).
   */
  force(state: S): void {
    this.#state = state;
  }
}

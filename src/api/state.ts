/**
 * Typed, shared build state. bootstrap-vz kept everything on one untyped `info` object; here each
 * piece of state is a key declared by the module that owns it, with a factory for its initial value,
 * so plugins share state through the public API without stringly-typed lookups.
 */
export interface StateKey<T> {
  readonly name: string;
  readonly init: () => T;
}

export function stateKey<T>(name: string, init: () => T): StateKey<T> {
  return { name, init };
}

export class BuildState {
  readonly #values = new Map<string, unknown>();

  /** The value for a key, created with the key's factory on first use. */
  get<T>(key: StateKey<T>): T {
    if (!this.#values.has(key.name)) this.#values.set(key.name, key.init());
    return this.#values.get(key.name) as T;
  }

  set<T>(key: StateKey<T>, value: T): void {
    this.#values.set(key.name, value);
  }

  has(key: StateKey<unknown>): boolean {
    return this.#values.has(key.name);
  }
}

/**
 * Credentials must never reach a log file, a terminal or a report. Every value registered here is
 * replaced by `***` in anything that passes through `maskSecrets`. The registry is process-wide on
 * purpose: a secret seen once (an AWS key, a password passed to a command) stays masked everywhere.
 */
import { setSecretHandler } from '../api/secrets.js';

export interface SecretMasker {
  register(value: string): void;
  mask(text: string): string;
}

/** Values shorter than this are not masked: masking "a" or "1" would mangle every line. */
const MIN_SECRET_LENGTH = 4;

export function createSecretMasker(): SecretMasker {
  const values = new Set<string>();
  // Longest first, so a secret that contains another is masked whole.
  let ordered: string[] = [];
  return {
    register(value) {
      if (value.length < MIN_SECRET_LENGTH || values.has(value)) return;
      values.add(value);
      ordered = [...values].sort((a, b) => b.length - a.length);
    },
    mask(text) {
      let out = text;
      for (const value of ordered) if (out.includes(value)) out = out.split(value).join('***');
      return out;
    },
  };
}

const globalMasker = createSecretMasker();

export function registerSecret(value: string): void {
  globalMasker.register(value);
}

// Plugins mark secrets through the public API (src/api/secrets.ts), which may not import this module.
setSecretHandler(registerSecret);

export function maskSecrets(text: string): string {
  return globalMasker.mask(text);
}

/** Masks every string inside a JSON-like value (objects, arrays), returning a copy. */
export function maskDeep<T>(value: T): T {
  if (typeof value === 'string') return maskSecrets(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => maskDeep(v)) as T;
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskDeep(v);
    return out as T;
  }
  return value;
}

/**
 * Keys that would reach an object's prototype when assigned (`obj['__proto__'] = v` replaces the
 * prototype): refused wherever a manifest or `--set` names a key, so manifest data never changes the
 * program's objects and never carries a value the manifest does not show.
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function isForbiddenKey(key: string): boolean {
  return FORBIDDEN_KEYS.has(key);
}

export const FORBIDDEN_KEY_HINT =
  '__proto__, constructor and prototype are not manifest keys (no section or plugin has them)';

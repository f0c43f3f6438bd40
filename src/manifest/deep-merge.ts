/**
 * Merge used by `extends`: mappings merge key by key, everything else (lists included) is replaced
 * by the child's value. The source map follows the data: each pointer keeps the location from the
 * file whose value won.
 */
import { isPlainObject, joinPointer } from './pointer.js';
import { isForbiddenKey } from './safe-keys.js';
import { SourceMap } from './source-map.js';

export interface Located {
  readonly data: Record<string, unknown>;
  readonly map: SourceMap;
}

export function mergeLocated(base: Located, child: Located): Located {
  const map = new SourceMap();
  map.addTextsFrom(base.map);
  map.addTextsFrom(child.map);
  // The root position is the child's: it is the file the user named.
  const root = child.map.get('') ?? base.map.get('');
  if (root) map.set('', root);
  const data = mergeObject(base.data, child.data, '', base.map, child.map, map);
  return { data, map };
}

function mergeObject(
  base: Record<string, unknown>,
  child: Record<string, unknown>,
  pointer: string,
  baseMap: SourceMap,
  childMap: SourceMap,
  out: SourceMap,
): Record<string, unknown> {
  // Keys keep the base's order; keys only the child has come after them.
  const result: Record<string, unknown> = {};
  const keys = [...Object.keys(base), ...Object.keys(child).filter((k) => !Object.hasOwn(base, k))];
  for (const key of keys) {
    // Refused when read (load-document.ts, set-overrides.ts); never assigned, whatever the caller.
    if (isForbiddenKey(key)) continue;
    const p = joinPointer(pointer, key);
    const prev = base[key];
    if (!Object.hasOwn(child, key)) {
      result[key] = prev;
      out.copyTree(baseMap, p, prev);
      continue;
    }
    const value = child[key];
    if (isPlainObject(prev) && isPlainObject(value)) {
      const loc = childMap.get(p);
      if (loc) out.set(p, loc);
      result[key] = mergeObject(prev, value, p, baseMap, childMap, out);
    } else {
      result[key] = value;
      out.copyTree(childMap, p, value);
    }
  }
  return result;
}

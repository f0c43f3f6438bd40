/**
 * `--set path=value` overrides from the command line, applied after `extends`. The path is dotted
 * (`volume.partitions.root.size`), `\.` is a literal dot (`packages.apt.conf.d` would be ambiguous, so
 * write `packages.apt\.conf\.d.10proxy`), and a number selects a list item. The value is read as a YAML
 * scalar or flow collection, so `true`, `3` and `[a, b]` keep their types. Overridden values are
 * located at `(--set):N:1`, N being the position of the override on the command line.
 */
import { parse as parseYaml } from 'yaml';
import type { Located } from './deep-merge.js';
import { issue, type ManifestIssue } from './issue.js';
import { isPlainObject, joinPointer } from './pointer.js';
import { FORBIDDEN_KEY_HINT, isForbiddenKey } from './safe-keys.js';

export const SET_FILE = '(--set)';

export interface ParsedSet {
  readonly path: string[];
  readonly value: unknown;
}

/** Splits `a.b\.c` into ['a', 'b.c']; undefined when a segment is empty. */
export function splitSetPath(path: string): string[] | undefined {
  const segments: string[] = [];
  let current = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === '\\' && (path[i + 1] === '.' || path[i + 1] === '\\')) {
      current += path[i + 1];
      i++;
    } else if (c === '.') {
      segments.push(current);
      current = '';
    } else current += c;
  }
  segments.push(current);
  return segments.some((s) => s.trim() === '') ? undefined : segments;
}

export function parseSetExpression(expr: string): ParsedSet | string {
  const eq = expr.indexOf('=');
  if (eq <= 0) return `expected PATH=VALUE, e.g. system.release=bookworm`;
  const path = splitSetPath(expr.slice(0, eq).trim());
  if (!path)
    return `"${expr.slice(0, eq)}" is not a valid path: use dotted keys such as volume.partitions.root.size`;
  const forbidden = path.find(isForbiddenKey);
  if (forbidden !== undefined) return `"${forbidden}" cannot be a key: ${FORBIDDEN_KEY_HINT}`;
  const text = expr.slice(eq + 1);
  let value: unknown;
  try {
    // An empty value means an empty string, not null: `--set system.hostname=` is rarely meant as null.
    value = text.trim() === '' ? '' : parseYaml(text, { version: '1.2' });
  } catch (err) {
    return `cannot read the value "${text}": ${(err as Error).message.split('\n')[0]}`;
  }
  const inValue = forbiddenKeyIn(value);
  if (inValue !== undefined) return `"${inValue}" cannot be a key: ${FORBIDDEN_KEY_HINT}`;
  return { path, value };
}

/** Applies the overrides in order; returns the new data (the input is not modified) and issues. */
export function applySets(
  located: Located,
  sets: readonly string[],
): { located: Located; issues: ManifestIssue[] } {
  const issues: ManifestIssue[] = [];
  const data = structuredClone(located.data);
  const map = located.map;
  map.setText(SET_FILE, sets.join('\n'));
  sets.forEach((expr, index) => {
    const line = index + 1;
    const fail = (message: string, hint?: string) =>
      issues.push(issue(SET_FILE, { line, col: 1 }, '', `--set ${expr}: ${message}`, hint, expr));
    const parsed = parseSetExpression(expr);
    if (typeof parsed === 'string') return void fail(parsed);
    let parent: unknown = data;
    let pointer = '';
    for (const [i, seg] of parsed.path.entries()) {
      const last = i === parsed.path.length - 1;
      const p = joinPointer(pointer, seg);
      if (Array.isArray(parent)) {
        const n = Number(seg);
        if (!/^\d+$/.test(seg) || n > parent.length) {
          return void fail(
            `${pointer || '/'} is a list: "${seg}" must be an index from 0 to ${parent.length}`,
          );
        }
        if (last) parent[n] = parsed.value;
        else if (parent[n] === undefined || parent[n] === null) parent[n] = {};
        parent = last ? undefined : parent[n];
      } else if (isPlainObject(parent)) {
        if (last) parent[seg] = parsed.value;
        else if (parent[seg] === undefined || parent[seg] === null) parent[seg] = {};
        parent = last ? undefined : parent[seg];
      } else {
        return void fail(`cannot set a key inside ${pointer}: it is a ${describe(parent)}, not a mapping`);
      }
      pointer = p;
    }
    // Everything at and under the overridden pointer now comes from this --set.
    map.deleteTree(pointer);
    setLocations(map, pointer, parsed.value, line);
    // Intermediate mappings created on the way have no position of their own either.
    let q = pointer;
    while ((q = q.slice(0, q.lastIndexOf('/'))) !== '' && !map.get(q)) {
      map.set(q, { file: SET_FILE, key: { line, col: 1 }, value: { line, col: 1 } });
    }
  });
  return { located: { data, map }, issues };
}

function setLocations(map: Located['map'], pointer: string, value: unknown, line: number): void {
  map.set(pointer, { file: SET_FILE, key: { line, col: 1 }, value: { line, col: 1 } });
  if (Array.isArray(value)) value.forEach((v, i) => setLocations(map, joinPointer(pointer, i), v, line));
  else if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) setLocations(map, joinPointer(pointer, k), v, line);
  }
}

/** The first key of a parsed value that would reach an object's prototype. */
function forbiddenKeyIn(value: unknown, depth = 0): string | undefined {
  if (depth > 100) return undefined;
  if (Array.isArray(value)) {
    for (const v of value) {
      const k = forbiddenKeyIn(v, depth + 1);
      if (k !== undefined) return k;
    }
  } else if (isPlainObject(value)) {
    for (const [key, v] of Object.entries(value)) {
      if (isForbiddenKey(key)) return key;
      const k = forbiddenKeyIn(v, depth + 1);
      if (k !== undefined) return k;
    }
  }
  return undefined;
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'list';
  if (v === null) return 'null value';
  return typeof v === 'string' ? 'string' : typeof v;
}

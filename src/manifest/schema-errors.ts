/**
 * Turns ajv's errors into messages for humans, positioned at the key that caused them. ajv reports
 * every failed keyword; this keeps one useful message per problem: if/then wrappers are dropped,
 * anyOf/oneOf keep only the branch that clearly applies, duplicates go.
 */
import type { ErrorObject } from 'ajv';
import { PATTERN_MESSAGE } from './core-schema.js';
import { issue, type ManifestIssue } from './issue.js';
import { getAt, joinPointer, pointerSegments } from './pointer.js';
import type { SourceMap } from './source-map.js';
import { closest } from './suggest.js';

export interface ErrorContext {
  readonly data: unknown;
  readonly map: SourceMap;
  /** File to blame when a pointer has no recorded position (should not happen). */
  readonly fallbackFile: string;
  readonly providerNames: readonly string[];
  readonly pluginNames: readonly string[];
}

interface Described {
  pointer: string;
  message: string;
  hint?: string;
}

export function schemaIssues(errors: readonly ErrorObject[], ctx: ErrorContext): ManifestIssue[] {
  const out: ManifestIssue[] = [];
  const seen = new Set<string>();
  for (const e of prune(errors)) {
    const d = describeError(e, ctx);
    const key = `${d.pointer}\0${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const loc = ctx.map.locate(d.pointer);
    const file = loc?.file ?? ctx.fallbackFile;
    const pos = loc?.pos ?? { line: 1, col: 1 };
    out.push(issue(file, pos, d.pointer, d.message, d.hint, ctx.map.line(file, pos.line)));
  }
  return dropMissingExplainedByTypo(out);
}

/**
 * `relase: x` makes both "unknown key relase (did you mean release?)" and "missing required key
 * release". The first says it all; the second only doubles the message.
 */
function dropMissingExplainedByTypo(issues: ManifestIssue[]): ManifestIssue[] {
  const suggested = new Set(
    issues.flatMap((i) => {
      const guess = /^did you mean "([^"]+)"\?/.exec(i.hint ?? '')?.[1];
      return guess && i.message.startsWith('unknown key')
        ? [joinPointer(parentPointer(i.pointer), guess)]
        : [];
    }),
  );
  return issues.filter((i) => !(i.message.startsWith('missing required') && suggested.has(i.pointer)));
}

function parentPointer(pointer: string): string {
  return pointer.slice(0, pointer.lastIndexOf('/'));
}

/** Drops wrapper and noise errors; see the module comment. */
export function prune(errors: readonly ErrorObject[]): ErrorObject[] {
  const dropped = new Set<ErrorObject>();
  const composites = errors
    .filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
    .sort((a, b) => b.schemaPath.length - a.schemaPath.length);
  for (const c of composites) {
    if (c.keyword === 'oneOf' && (c.params as { passingSchemas?: unknown }).passingSchemas) continue;
    const prefix = c.schemaPath + '/';
    const children = errors.filter(
      (e) => !dropped.has(e) && e.schemaPath.startsWith(prefix) && e.instancePath.startsWith(c.instancePath),
    );
    const branches = new Map<string, ErrorObject[]>();
    for (const e of children) {
      const b = e.schemaPath.slice(prefix.length).split('/')[0] ?? '';
      branches.set(b, [...(branches.get(b) ?? []), e]);
    }
    // A branch whose type does not even match the value does not apply.
    const applicable = [...branches.values()].filter(
      (errs) => !errs.some((e) => e.keyword === 'type' && e.instancePath === c.instancePath),
    );
    if (applicable.length === 1) {
      dropped.add(c);
      for (const e of children) if (!applicable[0]?.includes(e)) dropped.add(e);
    } else {
      for (const e of children) dropped.add(e);
      const types = children
        .filter((e) => e.keyword === 'type' && e.instancePath === c.instancePath)
        .map((e) => String((e.params as { type: unknown }).type));
      if (applicable.length === 0 && types.length > 0) {
        (c as { message?: string }).message =
          `must be ${typeList(types.join(','))}, not ${describeValue(c.data)}`;
      }
    }
  }
  // `propertyNames` repeats, without the name, what its own pattern error says.
  return errors.filter((e) => !dropped.has(e) && e.keyword !== 'if' && e.keyword !== 'propertyNames');
}

function describeError(e: ErrorObject, ctx: ErrorContext): Described {
  const pointer = e.instancePath;
  const params = e.params as Record<string, unknown>;
  const parentSchema = (e.parentSchema ?? {}) as Record<string, unknown>;
  const segments = pointerSegments(pointer);
  const last = segments.at(-1);
  switch (e.keyword) {
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const prop = String(params['additionalProperty'] ?? params['unevaluatedProperty']);
      const p = joinPointer(pointer, prop);
      if (pointer === '/plugins') {
        return {
          pointer: p,
          message: `unknown plugin "${prop}"`,
          ...hintFor(prop, ctx.pluginNames, 'known plugins'),
        };
      }
      const known = Object.keys((parentSchema['properties'] as object | undefined) ?? {});
      const patterns = Object.keys((parentSchema['patternProperties'] as object | undefined) ?? {});
      if (known.length === 0 && patterns.length > 0) {
        return {
          pointer: p,
          message: `invalid name "${prop}"`,
          hint: `names here must match ${patterns.join(' or ')}`,
        };
      }
      return { pointer: p, message: `unknown key "${prop}"`, ...hintFor(prop, known, 'known keys') };
    }
    case 'required': {
      const missing = String(params['missingProperty']);
      const what = pointer === '' ? 'section' : 'key';
      return { pointer: joinPointer(pointer, missing), message: `missing required ${what} "${missing}"` };
    }
    case 'enum': {
      const allowed = ((params['allowedValues'] as unknown[]) ?? []).map(String);
      if (pointer === '/provider/name') {
        return {
          pointer,
          message: `unknown provider ${describeValue(e.data)}`,
          ...hintFor(String(e.data), ctx.providerNames, 'known providers', true),
        };
      }
      const guess = typeof e.data === 'string' ? closest(e.data, allowed) : undefined;
      return {
        pointer,
        message: `must be one of: ${[...allowed].sort().join(', ')}`,
        ...(guess ? { hint: `did you mean "${guess}"?` } : {}),
      };
    }
    case 'const':
      return { pointer, message: `must be ${JSON.stringify(params['allowedValue'])}` };
    case 'type':
      return {
        pointer,
        message: `must be ${typeList(String(params['type']))}, not ${describeValue(e.data)}`,
      };
    case 'pattern': {
      const meaning = parentSchema[PATTERN_MESSAGE];
      // A key that its mapping's propertyNames refuses: reported at the key.
      const name = (e as { propertyName?: string }).propertyName;
      if (name !== undefined) {
        return {
          pointer: joinPointer(pointer, name),
          message: `the name ${JSON.stringify(name)} ${typeof meaning === 'string' ? meaning : `must match ${String(params['pattern'])}`}`,
        };
      }
      const subject = last !== undefined && !/^\d+$/.test(last) ? `${last} ` : '';
      return typeof meaning === 'string'
        ? { pointer, message: `${subject}${describeValue(e.data)} ${meaning}` }
        : { pointer, message: `${subject}${describeValue(e.data)} must match ${String(params['pattern'])}` };
    }
    case 'format':
      return params['format'] === 'uri'
        ? { pointer, message: `${describeValue(e.data)} must be a URL such as http://deb.debian.org/debian` }
        : { pointer, message: `${describeValue(e.data)} must be a valid ${String(params['format'])}` };
    case 'minItems':
    case 'minProperties':
    case 'minLength': {
      const limit = Number(params['limit']);
      if (limit === 1) return { pointer, message: 'must not be empty' };
      const unit = e.keyword === 'minItems' ? 'items' : e.keyword === 'minLength' ? 'characters' : 'keys';
      return { pointer, message: `must have at least ${limit} ${unit}` };
    }
    case 'maxItems':
    case 'maxProperties':
    case 'maxLength': {
      const unit = e.keyword === 'maxItems' ? 'items' : e.keyword === 'maxLength' ? 'characters' : 'keys';
      return { pointer, message: `must have at most ${String(params['limit'])} ${unit}` };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { pointer, message: `must be ${String(params['comparison'])} ${String(params['limit'])}` };
    case 'uniqueItems': {
      const j = Number(params['j']);
      return {
        pointer: joinPointer(pointer, j),
        message: `${describeValue(getAt(ctx.data, joinPointer(pointer, j)))} is listed twice`,
      };
    }
    case 'false schema':
      return { pointer, message: 'is not allowed here' };
    case 'not':
      return { pointer, message: `${describeValue(e.data)} is not allowed here` };
    case 'dependentRequired':
    case 'dependencies':
      return {
        pointer: joinPointer(pointer, String(params['property'])),
        message: `"${String(params['property'])}" also needs "${String(params['missingProperty'])}"`,
      };
    case 'oneOf':
      return (params['passingSchemas'] as unknown)
        ? { pointer, message: 'matches more than one of the allowed forms; make it unambiguous' }
        : { pointer, message: e.message ?? 'does not match any of the allowed forms' };
    case 'anyOf':
      return {
        pointer,
        message:
          e.message?.startsWith('must be ') && !e.message.includes('anyOf')
            ? e.message
            : 'does not match any of the allowed forms',
      };
    default:
      return { pointer, message: e.message ?? `failed the "${e.keyword}" rule` };
  }
}

/** `did you mean` when a name is close, otherwise (or with `always`) the list of known names. */
function hintFor(word: string, known: readonly string[], label: string, always = false): { hint?: string } {
  const guess = closest(word, known);
  const list =
    known.length > 0 && known.length <= 20 ? `${label}: ${[...known].sort().join(', ')}` : undefined;
  if (guess)
    return { hint: always && list ? `did you mean "${guess}"? ${list}` : `did you mean "${guess}"?` };
  if (list) return { hint: list };
  return known.length === 0 ? { hint: `there are no ${label.replace(/^known /, '')}` } : {};
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  object: 'a mapping',
  array: 'a list',
  boolean: 'true or false',
  integer: 'a whole number',
  number: 'a number',
  null: 'empty (null)',
};

function typeList(types: string): string {
  const names = [...new Set(types.split(','))].map((t) => TYPE_NAMES[t] ?? t);
  return names.length <= 1 ? (names[0] ?? 'valid') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? v.slice(0, 57) + '...' : v);
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

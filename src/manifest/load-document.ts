/**
 * Reads one manifest file (YAML, or JSON with comments as bootstrap-vz allowed) into plain data and a
 * source map. Every failure (missing file, binary content, bad UTF-8, YAML syntax, empty document,
 * top level that is not a mapping) comes back as a positioned issue, never as a thrown error.
 */
import {
  LineCounter,
  parseDocument,
  isAlias,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  visit,
  type Alias,
  type Document,
  type Node,
  type YAMLError,
  type YAMLMap,
} from 'yaml';
import { issue, type ManifestIssue, type Position } from './issue.js';
import { joinPointer } from './pointer.js';
import { SourceMap } from './source-map.js';
import { stripJsonComments } from './strip-json-comments.js';
import { decode } from './decode-text.js';
import { readBounded } from './read-bounded.js';
import { FORBIDDEN_KEY_HINT, isForbiddenKey } from './safe-keys.js';

export interface LoadedDocument {
  readonly file: string;
  readonly data: Record<string, unknown>;
  readonly map: SourceMap;
}

export type DocumentResult = { ok: true; doc: LoadedDocument } | { ok: false; issues: ManifestIssue[] };

const START: Position = { line: 1, col: 1 };

/** Reads and parses `file` (an absolute path): a regular file of at most MAX_MANIFEST_BYTES. */
export async function loadDocument(file: string): Promise<DocumentResult> {
  const read = await readBounded(file);
  if (!read.ok) return fail(issue(file, START, '', `cannot read manifest: ${read.why}`, read.hint));
  const decoded = decode(file, read.bytes);
  if (typeof decoded !== 'string') return fail(decoded);
  return parseText(file, decoded);
}

/** More aliases than any hand-written manifest has; bounds the YAML library's alias resolution. */
export const MAX_ALIASES = 500;
/** Values an alias-expanded document may hold (a YAML "billion laughs" stops here). */
export const MAX_EXPANDED_NODES = 100_000;

/** Parses manifest text already in memory (used by loadDocument and by tests). */
export function parseText(file: string, text: string): DocumentResult {
  try {
    return parseUnbounded(file, text);
  } catch (err) {
    // A document nested thousands of levels deep exhausts the parser's stack: an input error too.
    if (err instanceof RangeError) {
      return fail(
        issue(file, START, '', 'the manifest is nested too deeply to read', 'a manifest nests a few levels'),
      );
    }
    throw err;
  }
}

function parseUnbounded(file: string, text: string): DocumentResult {
  const map = new SourceMap();
  map.setText(file, text);
  const isJson = file.toLowerCase().endsWith('.json');
  const source = isJson ? stripJsonComments(text) : text;
  const lineCounter = new LineCounter();
  // YAML 1.1 is what PyYAML (and so bootstrap-vz) reads: `yes`/`no` booleans, `<<` merge keys.
  // JSON is valid YAML 1.2 flow syntax, so .json files go through the same parser and keep positions.
  // uniqueKeys: false because the library's check compares each key with every earlier one
  // (quadratic: 40,000 keys took minutes); checkStructure finds duplicates with one set per mapping.
  const doc = parseDocument(source, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: false,
    ...(isJson ? { version: '1.2' as const } : { version: '1.1' as const, merge: true }),
  });
  const pos = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
  const at = (offset: number, message: string, hint?: string): ManifestIssue => {
    const p = pos(offset);
    return issue(file, p, '', message, hint, map.line(file, p.line));
  };
  if (doc.errors.length > 0) {
    if (doc.errors.some((e) => /call stack/.test(e.message))) throw new RangeError('nesting');
    // One issue per distinct message: a parser that lost its way repeats itself.
    const seen = new Set<string>();
    const errors = doc.errors.filter((e) => !seen.has(e.message) && Boolean(seen.add(e.message)));
    return { ok: false, issues: errors.slice(0, 10).map((e) => syntaxIssue(doc, e, pos, at)) };
  }

  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) {
    return fail(
      issue(
        file,
        START,
        '',
        'the manifest is empty',
        'a manifest is a mapping with at least name, provider, bootstrapper, system and volume',
      ),
    );
  }
  if (!isMap(root)) {
    const kind = isSeq(root) ? 'a list' : 'a single value';
    return fail(at(root.range[0], `the top level of a manifest must be a mapping of sections, not ${kind}`));
  }
  const structure = checkStructure(doc, pos, at);
  if (structure.issues.length > 0) return { ok: false, issues: structure.issues };
  let data: unknown;
  try {
    data = normalize(doc.toJS({ maxAliasCount: -1 }));
  } catch (err) {
    // checkStructure found what toJS throws for (unresolved aliases, bad merge sources); a backstop.
    return fail(at(root.range[0], `invalid YAML: ${(err as Error).message}`));
  }
  map.set('', { file, value: pos(root.range[0]) });
  walk(structure.anchors, root, '', file, map, pos, 0);
  return { ok: true, doc: { file, data: data as Record<string, unknown>, map } };
}

/**
 * A syntax error at the line where the mistake starts: an unterminated quote or an unclosed bracket is
 * noticed where the parser gives up (often the end of the file), so the error points at the opening
 * quote or bracket, with the line where it was noticed as a second pointer.
 */
function syntaxIssue(
  doc: Document,
  e: YAMLError,
  pos: (offset: number) => Position,
  at: (offset: number, message: string, hint?: string) => ManifestIssue,
): ManifestIssue {
  const message = `YAML syntax error: ${firstLine(e.message)}`;
  const noticed = e.pos[0];
  let start: { offset: number; what: string } | undefined;
  if (/quote|Flow|flow|MISSING_CHAR|BAD_INDENT|UNEXPECTED_TOKEN/.test(`${e.code} ${e.message}`)) {
    visit(doc, {
      Node(_key, node) {
        const range = node.range;
        if (!range || range[0] >= noticed || range[2] < noticed) return;
        const opening = isScalar(node)
          ? node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE'
            ? 'quote'
            : undefined
          : (isMap(node) || isSeq(node)) && node.flow
            ? isMap(node)
              ? '{'
              : '['
            : undefined;
        // The innermost (latest-starting) opening that the error falls inside.
        if (opening && (!start || range[0] > start.offset)) start = { offset: range[0], what: opening };
      },
    });
  }
  if (!start || pos(start.offset).line === pos(noticed).line) return at(noticed, message);
  const seen = pos(noticed);
  const what = start.what === 'quote' ? 'the quoted value that starts here' : `the ${start.what} opened here`;
  return at(
    start.offset,
    `${message} (${what} is not closed)`,
    `the parser noticed it at line ${seen.line}, column ${seen.col}`,
  );
}

/**
 * What the YAML library would only throw from toJS, or check quadratically, found in one pass over the
 * document, each at its own line: duplicate keys, keys that reach an object's prototype, aliases
 * without an anchor before them, merge keys whose value is not a mapping, and alias bombs.
 */
function checkStructure(
  doc: Document,
  pos: (offset: number) => Position,
  at: (offset: number, message: string, hint?: string) => ManifestIssue,
): { issues: ManifestIssue[]; anchors: Map<Alias, Node | undefined> } {
  const issues: ManifestIssue[] = [];
  const anchors = new Map<string, Node>();
  const resolved = new Map<Alias, Node | undefined>();
  let aliasCount = 0;
  const deref = (n: unknown): unknown => (isAlias(n) ? resolved.get(n) : n);
  const maps: YAMLMap[] = [];
  // One visitor for every node: yaml's visit calls only the most specific one a node has.
  visit(doc, {
    Node(_key, node) {
      // Document order: an alias refers to the last anchor of its name before it, as in YAML.
      if (isAlias(node)) {
        aliasCount++;
        const target = anchors.get(node.source);
        resolved.set(node, target);
        if (!target && node.range) {
          issues.push(
            at(
              node.range[0],
              `YAML: the alias *${node.source} has no anchor &${node.source} before it`,
              'an anchor (&name) must come before every alias (*name) of it',
            ),
          );
        }
        if (aliasCount === MAX_ALIASES + 1 && node.range) {
          issues.push(at(node.range[0], `YAML: more than ${MAX_ALIASES} aliases in one manifest`));
        }
        return;
      }
      if (node.anchor) anchors.set(node.anchor, node);
      if (isMap(node)) maps.push(node);
    },
  });
  for (const node of maps) {
    const seen = new Map<string, number>();
    for (const pair of node.items) {
      const key = pair.key as Node | null;
      if (isMergeKey(key)) {
        const value = deref(pair.value);
        const sources = isSeq(value) ? value.items.map(deref) : [value];
        if (!sources.every((s) => isMap(s)) && key?.range) {
          issues.push(
            at(
              key.range[0],
              'YAML: a merge key (<<) takes a mapping, an alias of one, or a list of them',
              'write `<<: *anchor` where &anchor names a mapping',
            ),
          );
        }
        continue;
      }
      if (!isScalar(key) || !key.range) continue;
      const name = String(key.value);
      if (isForbiddenKey(name)) {
        issues.push(at(key.range[0], `"${name}" cannot be a key`, FORBIDDEN_KEY_HINT));
      }
      const first = seen.get(name);
      if (first !== undefined) {
        issues.push(
          at(
            key.range[0],
            `duplicate key "${name}" (first at line ${first})`,
            'keys of a mapping are unique',
          ),
        );
      } else seen.set(name, pos(key.range[0]).line);
    }
  }
  if (issues.length === 0) {
    const bomb = findAliasBomb(doc, resolved);
    if (bomb) issues.push(bomb(at));
  }
  return { issues, anchors: resolved };
}

/** The alias at which the expanded document passes MAX_EXPANDED_NODES values, if it does. */
function findAliasBomb(
  doc: Document,
  resolved: Map<Alias, Node | undefined>,
): ((at: (offset: number, message: string, hint?: string) => ManifestIssue) => ManifestIssue) | undefined {
  const memo = new Map<Node, number>();
  const size = (n: unknown): number => {
    if (isAlias(n)) {
      const t = resolved.get(n);
      return t ? size(t) : 1;
    }
    if (!isNode(n)) return isPair(n) ? size(n.key) + size(n.value) : 1;
    const known = memo.get(n);
    if (known !== undefined) return known;
    let total = 1;
    if (isMap(n) || isSeq(n)) {
      for (const item of n.items as unknown[]) {
        total += size(item);
        if (total > MAX_EXPANDED_NODES) break;
      }
    }
    memo.set(n, total);
    return total;
  };
  if (size(doc.contents) <= MAX_EXPANDED_NODES) return undefined;
  // The alias whose own expansion is largest is where the bomb goes off.
  let worst: { alias: Alias; size: number } | undefined;
  for (const alias of resolved.keys()) {
    const s = size(alias);
    if (alias.range && (!worst || s > worst.size)) worst = { alias, size: s };
  }
  const offset = worst?.alias.range?.[0] ?? 0;
  return (at) =>
    at(
      offset,
      `YAML: aliases expand this manifest to more than ${MAX_EXPANDED_NODES} values`,
      'aliases of aliases multiply; a manifest needs a few at most',
    );
}

function fail(i: ManifestIssue): DocumentResult {
  return { ok: false, issues: [i] };
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

/** YAML 1.1 timestamps become Date objects; PyYAML's str() gives the ISO text, so keep that as a string. */
function normalize(value: unknown): unknown {
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = normalize(v);
    return out;
  }
  return value;
}

function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  const v = key.value;
  return v === '<<' || (typeof v === 'symbol' && v.description === '<<');
}

function keyString(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return String(key);
}

/** Records positions for every member and item under `node` (aliases resolve to their anchor's positions). */
function walk(
  aliases: Map<Alias, Node | undefined>,
  node: Node,
  pointer: string,
  file: string,
  map: SourceMap,
  pos: (offset: number) => Position,
  depth: number,
): void {
  if (depth > 100) return;
  const target = isAlias(node) ? aliases.get(node) : node;
  if (!target) return;
  if (isMap(target)) {
    // Merge sources first, explicit keys after: explicit keys win, as in the data.
    for (const pair of target.items) {
      if (!isMergeKey(pair.key) || !pair.value) continue;
      const src = isAlias(pair.value) ? aliases.get(pair.value) : pair.value;
      const sources = isSeq(src) ? src.items : [src];
      for (const s of [...sources].reverse()) {
        const m = isAlias(s) ? aliases.get(s) : s;
        if (isMap(m)) walkPairs(aliases, m.items, pointer, file, map, pos, depth);
      }
    }
    walkPairs(
      aliases,
      target.items.filter((p) => !isMergeKey(p.key)),
      pointer,
      file,
      map,
      pos,
      depth,
    );
  } else if (isSeq(target)) {
    target.items.forEach((item, i) => {
      const p = joinPointer(pointer, i);
      const range = (item as Node | null)?.range;
      if (range) map.set(p, { file, value: pos(range[0]) });
      if (item) walk(aliases, item as Node, p, file, map, pos, depth + 1);
    });
  }
}

function walkPairs(
  aliases: Map<Alias, Node | undefined>,
  pairs: readonly { key: unknown; value: unknown }[],
  pointer: string,
  file: string,
  map: SourceMap,
  pos: (offset: number) => Position,
  depth: number,
): void {
  for (const pair of pairs) {
    const keyNode = pair.key as Node | null;
    const valueNode = pair.value as Node | null;
    const p = joinPointer(pointer, keyString(pair.key));
    const keyPos = keyNode?.range ? pos(keyNode.range[0]) : undefined;
    // A key with no value (`foo:`) has no value node: use the key's position for both.
    const valuePos = valueNode?.range ? pos(valueNode.range[0]) : (keyPos ?? START);
    map.set(p, keyPos ? { file, key: keyPos, value: valuePos } : { file, value: valuePos });
    if (valueNode) walk(aliases, valueNode, p, file, map, pos, depth + 1);
  }
}

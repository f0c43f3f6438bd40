/**
 * Reads one manifest file (YAML, or JSON with comments as bootstrap-vz allowed) into plain data and a
 * source map. Every failure (missing file, binary content, bad UTF-8, YAML syntax, empty document,
 * top level that is not a mapping) comes back as a positioned issue, never as a thrown error.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isAlias, isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import { issue, type ManifestIssue, type Position } from './issue.js';
import { joinPointer } from './pointer.js';
import { SourceMap } from './source-map.js';
import { stripJsonComments } from './strip-json-comments.js';
import { decode } from './decode-text.js';

export interface LoadedDocument {
  readonly file: string;
  readonly data: Record<string, unknown>;
  readonly map: SourceMap;
}

export type DocumentResult = { ok: true; doc: LoadedDocument } | { ok: false; issues: ManifestIssue[] };

const START: Position = { line: 1, col: 1 };

/** Reads and parses `file` (an absolute path). */
export async function loadDocument(file: string): Promise<DocumentResult> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EISDIR'
          ? 'is a directory, not a file'
          : (err as Error).message;
    return fail(issue(file, START, '', `cannot read manifest: ${why}`));
  }
  const decoded = decode(file, bytes);
  if (typeof decoded !== 'string') return fail(decoded);
  return parseText(file, decoded);
}

/** Parses manifest text already in memory (used by loadDocument and by tests). */
export function parseText(file: string, text: string): DocumentResult {
  const map = new SourceMap();
  map.setText(file, text);
  const isJson = file.toLowerCase().endsWith('.json');
  const source = isJson ? stripJsonComments(text) : text;
  const lineCounter = new LineCounter();
  // YAML 1.1 is what PyYAML (and so bootstrap-vz) reads: `yes`/`no` booleans, `<<` merge keys.
  // JSON is valid YAML 1.2 flow syntax, so .json files go through the same parser and keep positions.
  const doc = parseDocument(source, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    ...(isJson ? { version: '1.2' as const } : { version: '1.1' as const, merge: true }),
  });
  const pos = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
  const errors = doc.errors.map((e) => {
    const at = pos(e.pos[0]);
    return issue(
      file,
      at,
      '',
      `YAML syntax error: ${firstLine(e.message)}`,
      undefined,
      map.line(file, at.line),
    );
  });
  if (errors.length > 0) return { ok: false, issues: errors };

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
    const at = pos(root.range[0]);
    const kind = isSeq(root) ? 'a list' : 'a single value';
    return fail(
      issue(
        file,
        at,
        '',
        `the top level of a manifest must be a mapping of sections, not ${kind}`,
        undefined,
        map.line(file, at.line),
      ),
    );
  }
  let data: unknown;
  try {
    data = normalize(doc.toJS({ maxAliasCount: 1000 }));
  } catch (err) {
    // toJS throws for e.g. a merge key whose value is not a mapping.
    return fail(issue(file, pos(root.range[0]), '', `invalid YAML: ${(err as Error).message}`));
  }
  map.set('', { file, value: pos(root.range[0]) });
  walk(doc, root, '', file, map, pos, 0);
  return { ok: true, doc: { file, data: data as Record<string, unknown>, map } };
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
  doc: Document,
  node: Node,
  pointer: string,
  file: string,
  map: SourceMap,
  pos: (offset: number) => Position,
  depth: number,
): void {
  if (depth > 100) return;
  const target = isAlias(node) ? node.resolve(doc) : node;
  if (!target) return;
  if (isMap(target)) {
    // Merge sources first, explicit keys after: explicit keys win, as in the data.
    for (const pair of target.items) {
      if (!isMergeKey(pair.key) || !pair.value) continue;
      const src = isAlias(pair.value) ? pair.value.resolve(doc) : pair.value;
      const sources = isSeq(src) ? src.items : [src];
      for (const s of [...sources].reverse()) {
        const m = isAlias(s) ? s.resolve(doc) : s;
        if (isMap(m)) walkPairs(doc, m.items, pointer, file, map, pos, depth);
      }
    }
    walkPairs(
      doc,
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
      if (item) walk(doc, item as Node, p, file, map, pos, depth + 1);
    });
  }
}

function walkPairs(
  doc: Document,
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
    if (valueNode) walk(doc, valueNode, p, file, map, pos, depth + 1);
  }
}

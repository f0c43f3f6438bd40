/**
 * `extends: base.yml` (or a list of files, applied in order): the named files are loaded relative to
 * the file that names them, may extend further, and are merged under it (the child wins). Cycles and
 * missing files are reported at the `extends` line that caused them.
 */
import { access, stat } from 'node:fs/promises';
import { basename, dirname, relative, resolve } from 'node:path';
import { mergeLocated, type Located } from './deep-merge.js';
import { issue, type ManifestIssue } from './issue.js';
import { loadDocument } from './load-document.js';
import { joinPointer } from './pointer.js';
import { formatBytes } from '../api/size.js';
import { MAX_MANIFEST_BYTES } from './read-bounded.js';

export interface ExtendsResult {
  /** Merged data without any `extends` key, or undefined when a file could not be loaded. */
  readonly located?: Located;
  readonly issues: ManifestIssue[];
  /** Every file read, the top one first. */
  readonly sources: string[];
}

/** Loads `file` and everything it extends. */
export async function loadWithExtends(file: string): Promise<ExtendsResult> {
  const sources: string[] = [];
  const issues: ManifestIssue[] = [];
  const located = await loadRec(resolve(file), [], sources, issues);
  return located && issues.length === 0 ? { located, issues, sources } : { issues, sources };
}

async function loadRec(
  file: string,
  chain: readonly string[],
  sources: string[],
  issues: ManifestIssue[],
): Promise<Located | undefined> {
  const result = await loadDocument(file);
  if (!sources.includes(file)) sources.push(file);
  if (!result.ok) {
    issues.push(...result.issues);
    return undefined;
  }
  const { data, map } = result.doc;
  if (!Object.hasOwn(data, 'extends')) return { data, map };

  const { extends: ext, ...rest } = data;
  const at = (pointer: string) => {
    const loc = map.locate(pointer);
    const pos = loc?.pos ?? { line: 1, col: 1 };
    return { pos, line: map.line(file, pos.line) };
  };
  const names: { name: string; pointer: string }[] = [];
  if (typeof ext === 'string') names.push({ name: ext, pointer: '/extends' });
  else if (Array.isArray(ext) && ext.every((e) => typeof e === 'string')) {
    ext.forEach((name: string, i) => names.push({ name, pointer: joinPointer('/extends', i) }));
  } else {
    const { pos, line } = at('/extends');
    issues.push(
      issue(file, pos, '/extends', 'extends must be a file name or a list of file names', undefined, line),
    );
    return undefined;
  }

  let base: Located | undefined;
  let failed = false;
  for (const { name, pointer } of names) {
    const target = resolve(dirname(file), name);
    const { pos, line } = at(pointer);
    if (target === file || chain.includes(target)) {
      const start = chain.includes(target) ? chain.indexOf(target) : chain.length;
      const shown = (f: string) => relative(dirname(file), f) || basename(f);
      const cycle = [...chain.slice(start), file, target].map(shown).join(' -> ');
      issues.push(issue(file, pos, pointer, `extends cycle: ${cycle}`, 'remove one of these extends', line));
      failed = true;
      continue;
    }
    // A file that does not exist, or that is no manifest at all (a directory, a device, a huge or
    // binary file), is the fault of this extends line, so it is reported here.
    if (!(await exists(target))) {
      issues.push(
        issue(file, pos, pointer, `extends: cannot find "${name}" (looked for ${target})`, undefined, line),
      );
      failed = true;
      continue;
    }
    const unusable = await unusableFile(target);
    if (unusable) {
      issues.push(issue(file, pos, pointer, `extends: "${name}" ${unusable.why}`, unusable.hint, line));
      failed = true;
      continue;
    }
    const own: ManifestIssue[] = [];
    const parent = await loadRec(target, [...chain, file], sources, own);
    const unreadable = own.find((i) => i.file === target && NOT_TEXT.test(i.message));
    if (unreadable) {
      issues.push(
        issue(file, pos, pointer, `extends: "${name}": ${unreadable.message}`, unreadable.hint, line),
      );
    } else issues.push(...own);
    if (!parent) {
      failed = true;
      continue;
    }
    base = base ? mergeLocated(base, parent) : parent;
  }
  if (failed) return undefined;
  map.deleteTree('/extends');
  const self: Located = { data: rest, map };
  return base ? mergeLocated(base, self) : self;
}

/** What decode-text.ts says of a file that is not text: reported at the extends line that named it. */
const NOT_TEXT = /^(this is a binary file|the manifest is not valid UTF-8|cannot read manifest)/;

/** Why a file cannot be a manifest, from its stat alone (read-bounded.ts reads only what passes). */
async function unusableFile(path: string): Promise<{ why: string; hint?: string } | undefined> {
  try {
    const st = await stat(path);
    if (!st.isFile()) {
      return {
        why: `is ${st.isDirectory() ? 'a directory' : 'not a regular file'} (${path})`,
        hint: 'extends names manifest files',
      };
    }
    if (st.size > MAX_MANIFEST_BYTES) {
      return {
        why: `is ${formatBytes(st.size)}, more than the ${formatBytes(MAX_MANIFEST_BYTES)} a manifest may be (${path})`,
      };
    }
  } catch (err) {
    return { why: `cannot be read: ${(err as Error).message}` };
  }
  return undefined;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

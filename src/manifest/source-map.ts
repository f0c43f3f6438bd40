/**
 * Where each value of the merged manifest came from. Keys are JSON pointers; each entry names the
 * file that defined the winning value, the position of its key (for object members) and of the value.
 * Errors point at the key because that is the line a user scans for.
 */
import type { Position } from './issue.js';
import { isPlainObject, joinPointer, parentPointer } from './pointer.js';

export interface SourceLocation {
  readonly file: string;
  /** Position of the member's key; absent for array items and the document root. */
  readonly key?: Position;
  readonly value: Position;
}

export class SourceMap {
  readonly #entries = new Map<string, SourceLocation>();
  /** Text of every source (files and the `(--set)` pseudo-file), for code frames. */
  readonly #texts = new Map<string, string[]>();

  set(pointer: string, location: SourceLocation): void {
    this.#entries.set(pointer, location);
  }

  get(pointer: string): SourceLocation | undefined {
    return this.#entries.get(pointer);
  }

  setText(file: string, text: string): void {
    this.#texts.set(file, text.split(/\r?\n/));
  }

  /** The given line (1-based) of a source, if known. */
  line(file: string, line: number): string | undefined {
    return this.#texts.get(file)?.[line - 1];
  }

  /** Copies the texts of another map (used when merging extended files). */
  addTextsFrom(other: SourceMap): void {
    for (const [file, lines] of other.#texts) this.#texts.set(file, lines);
  }

  /** Removes the entry of a pointer and of everything below it. */
  deleteTree(pointer: string): void {
    for (const key of [...this.#entries.keys()]) {
      if (key === pointer || key.startsWith(pointer + '/')) this.#entries.delete(key);
    }
  }

  /**
   * Copies from `from` the entries for `value` (found at `pointer`) and every pointer below it, by
   * walking the value: that is exactly the subtree that now wins in the merged data.
   */
  copyTree(from: SourceMap, pointer: string, value: unknown): void {
    const loc = from.get(pointer);
    if (loc) this.set(pointer, loc);
    if (Array.isArray(value)) value.forEach((v, i) => this.copyTree(from, joinPointer(pointer, i), v));
    else if (isPlainObject(value)) {
      for (const [k, v] of Object.entries(value)) this.copyTree(from, joinPointer(pointer, k), v);
    }
  }

  /**
   * The best location for a pointer: its own entry, or the nearest ancestor that has one (a missing
   * required key is reported at its parent).
   */
  locate(pointer: string): { file: string; pos: Position; exact: boolean } | undefined {
    let p = pointer;
    for (;;) {
      const loc = this.#entries.get(p);
      if (loc) return { file: loc.file, pos: loc.key ?? loc.value, exact: p === pointer };
      if (p === '') return undefined;
      p = parentPointer(p);
    }
  }

  pointers(): IterableIterator<string> {
    return this.#entries.keys();
  }
}

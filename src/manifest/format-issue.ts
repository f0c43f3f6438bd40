/**
 * Renders an issue for a terminal, Rollup-style:
 *
 *   manifests/x.yml:12:5 /system/relase: unknown key "relase"
 *     12 |   relase: bookworm
 *        |   ^^^^^^
 *     hint: did you mean "release"?
 */
import { isAbsolute, relative } from 'node:path';
import type { ManifestIssue } from './issue.js';

export interface FormatOptions {
  readonly color: boolean;
  /** Paths under this directory are shown relative to it (default: the process's cwd). */
  readonly cwd?: string;
}

const ansi = (code: string, on: boolean) => (s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);

export function formatIssue(issue: ManifestIssue, opts: FormatOptions): string {
  const bold = ansi('1', opts.color);
  const dim = ansi('2', opts.color);
  const red = ansi('31', opts.color);
  const cyan = ansi('36', opts.color);
  const where = `${displayPath(issue.file, opts.cwd ?? process.cwd())}:${issue.line}:${issue.col}`;
  const pointer = issue.pointer === '' ? '' : ` ${issue.pointer}`;
  const lines = [`${bold(where)}${dim(pointer)}: ${red(issue.message)}`];
  if (issue.sourceLine !== undefined) {
    const num = String(issue.line);
    const gutter = ' '.repeat(num.length);
    const text = issue.sourceLine.replaceAll('\t', ' ');
    lines.push(`  ${dim(`${num} |`)} ${text}`);
    lines.push(
      `  ${dim(`${gutter} |`)} ${' '.repeat(Math.max(0, issue.col - 1))}${red('^'.repeat(tokenLength(text, issue.col)))}`,
    );
  }
  if (issue.hint !== undefined) lines.push(`  ${cyan('hint:')} ${issue.hint}`);
  return lines.join('\n');
}

/** Length of the token at a 1-based column: a key or scalar up to `:`, whitespace or a flow bracket. */
function tokenLength(line: string, col: number): number {
  const rest = line.slice(col - 1);
  const quoted = /^(["'])(?:\\.|(?!\1).)*\1/.exec(rest);
  if (quoted) return quoted[0].length;
  const m = /^[^\s:,[\]{}]+/.exec(rest);
  return Math.max(1, m ? m[0].length : 1);
}

function displayPath(file: string, cwd: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

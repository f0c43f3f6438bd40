/**
 * The input format of debconf-set-selections(1), checked before the build starts (bootstrap-vz ran
 * `debconf-set-selections --checkonly` on the build host, which needs debconf there): one
 * `owner question type value` per line, separated by whitespace, `#` comments, blank lines, and a
 * trailing backslash continuing a line.
 */
export interface Selection {
  /** 1-based line where the selection starts in the manifest's string. */
  readonly line: number;
  readonly owner: string;
  readonly question: string;
  readonly type: string;
  readonly value: string;
}

export interface SelectionProblem {
  readonly line: number;
  readonly message: string;
}

/** debconf's question types (debconf-devel(7)); `seen` is the flag debconf-set-selections also accepts. */
export const TYPES = [
  'select',
  'multiselect',
  'string',
  'boolean',
  'note',
  'text',
  'password',
  'title',
  'error',
  'seen',
];

export function parseSelections(text: string): { selections: Selection[]; problems: SelectionProblem[] } {
  const selections: Selection[] = [];
  const problems: SelectionProblem[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let line = lines[i] ?? '';
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + (lines[++i] ?? '');
    if (/^\s*(#|$)/.test(line)) continue;
    const m = /^\s*(\S+)\s+(\S+)\s+(\S+)(?:\s(.*))?$/.exec(line);
    if (!m) {
      problems.push({ line: start, message: `expected "package question type value", got "${line.trim()}"` });
      continue;
    }
    const [, owner = '', question = '', type = '', value = ''] = m;
    if (!TYPES.includes(type)) {
      problems.push({
        line: start,
        message: `unknown type "${type}" for ${question} (one of ${TYPES.join(', ')})`,
      });
      continue;
    }
    if (type === 'boolean' && !['true', 'false'].includes(value.trim())) {
      problems.push({
        line: start,
        message: `${question} is a boolean: its value must be true or false, not "${value.trim()}"`,
      });
      continue;
    }
    selections.push({ line: start, owner, question, type, value });
  }
  if (selections.length === 0 && problems.length === 0)
    problems.push({ line: 1, message: 'no selections in it' });
  return { selections, problems };
}

/** Values of `password` questions: passed as secrets so they never reach a log. */
export function passwordValues(selections: readonly Selection[]): string[] {
  return selections.filter((s) => s.type === 'password' && s.value.trim() !== '').map((s) => s.value.trim());
}

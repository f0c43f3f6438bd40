/**
 * The input format of debconf-set-selections(1), checked before the build starts (bootstrap-vz ran
 * `debconf-set-selections --checkonly` on the build host, which needs debconf there). The rules are
 * debconf-set-selections' own: one `owner question type value` per line, separated by whitespace,
 * `#` comments and blank lines skipped, a trailing backslash continuing a line, CR before LF dropped.
 * A line it cannot parse is an error (it fails too); an unknown type is a warning (it skips the line).
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
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

/** The types debconf-set-selections knows, and the one flag it sets (`seen`). */
export const TYPES = ['select', 'boolean', 'string', 'multiselect', 'note', 'password', 'text', 'title'];
export const FLAGS = ['seen'];

const LINE = /^\s*(\S+)\s+(\S+)\s+(\S+)(?:\s(.*))?/;

export function parseSelections(text: string): { selections: Selection[]; problems: SelectionProblem[] } {
  const selections: Selection[] = [];
  const problems: SelectionProblem[] = [];
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    let entry = lines[i] ?? '';
    while (entry.endsWith('\\') && i + 1 < lines.length) entry = entry.slice(0, -1) + (lines[++i] ?? '');
    if (/^\s*(#|$)/.test(entry)) continue;
    const m = LINE.exec(entry);
    if (!m) {
      problems.push({
        line,
        severity: 'error',
        message: `expected "package question type value", got "${entry.trim()}"`,
      });
      continue;
    }
    const [, owner = '', question = '', type = '', value = ''] = m;
    if (!TYPES.includes(type) && !FLAGS.includes(type)) {
      problems.push({
        line,
        severity: 'warning',
        message: `unknown type "${type}" for ${question}: debconf-set-selections skips this line (types: ${TYPES.join(', ')})`,
      });
      continue;
    }
    if ((type === 'boolean' || FLAGS.includes(type)) && !['true', 'false'].includes(value.trim())) {
      problems.push({
        line,
        severity: 'warning',
        message: `${question} is a ${type === 'boolean' ? 'boolean' : 'flag'}: its value should be true or false, not "${value.trim()}"`,
      });
    }
    selections.push({ line, owner, question, type, value });
  }
  if (selections.length === 0 && !problems.some((p) => p.severity === 'error'))
    problems.push({ line: 1, severity: 'error', message: 'no selections in it' });
  return { selections, problems };
}

/** Values of `password` questions: passed as secrets so they never reach a log. */
export function passwordValues(selections: readonly Selection[]): string[] {
  return selections.filter((s) => s.type === 'password' && s.value.trim() !== '').map((s) => s.value.trim());
}

/**
 * dpkg's path filters (dpkg.cfg(5) `path-exclude=` / `path-include=`): the drop-ins this plugin writes
 * to /etc/dpkg/dpkg.cfg.d, and the same rules evaluated here to remove what was installed before the
 * drop-ins existed (mmdebstrap installs most of the image in base/bootstrap-os).
 *
 * dpkg matches each path against every filter in the order read, with fnmatch(3) and no flags, so
 * `*` also matches `/`; the last filter that matches decides.
 */
import type { MinimizeSizeSettings } from './settings.js';

export interface FilterRule {
  readonly kind: 'exclude' | 'include';
  readonly pattern: string;
}

export interface DpkgDropIn {
  /** File name under /etc/dpkg/dpkg.cfg.d. */
  readonly name: string;
  readonly rules: readonly FilterRule[];
}

export const DPKG_CFG_DIR = '/etc/dpkg/dpkg.cfg.d';

const ex = (pattern: string): FilterRule => ({ kind: 'exclude', pattern });
const inc = (pattern: string): FilterRule => ({ kind: 'include', pattern });

/**
 * The drop-ins for the settings, in the order dpkg reads them (by name). File names are
 * bootstrap-vz's. Differences from it: the untranslated man pages (man1..man9) are kept (its include
 * named the directories only, which kept no page), and the copyright files stay (a distributed
 * image must carry its licences; they are a few MB).
 */
export function dpkgDropIns(s: MinimizeSizeSettings): DpkgDropIn[] {
  const out: DpkgDropIn[] = [];
  if (s.dpkg?.exclude_docs === true) {
    out.push({ name: '10exclude-docs', rules: [ex('/usr/share/doc/*'), inc('/usr/share/doc/*/copyright')] });
  }
  const locales = s.dpkg?.locales;
  if (locales !== undefined) {
    out.push({
      name: '10filter-locales',
      rules: [
        ex('/usr/share/locale/*'),
        inc('/usr/share/locale/locale.alias'),
        ...locales.map((l) => inc(`/usr/share/locale/${l}/*`)),
      ],
    });
    out.push({
      name: '10filter-manpages',
      rules: [
        ex('/usr/share/man/*'),
        inc('/usr/share/man/man[1-9]/*'),
        ...locales.map((l) => inc(`/usr/share/man/${l}/*`)),
      ],
    });
  }
  return out;
}

export function renderDropIn(dropIn: DpkgDropIn): string {
  return (
    '# Written by the minimize_size plugin: dpkg does not install these paths.\n' +
    dropIn.rules.map((r) => `path-${r.kind}=${r.pattern}`).join('\n') +
    '\n'
  );
}

/** fnmatch(3) with no flags as a RegExp: `*` and `?` match any character, `/` included. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else if (c === '\\' && i + 1 < glob.length) re += escape(glob[++i] as string);
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end === -1) {
        re += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else re += escape(c);
  }
  return new RegExp(`^${re}$`);
}

function escape(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A compiled rule list: `excluded(path)` says whether dpkg would leave the path out. */
export function compileRules(rules: readonly FilterRule[]): { excluded(path: string): boolean } {
  const compiled = rules.map((r) => ({ kind: r.kind, re: globToRegExp(r.pattern) }));
  return {
    excluded(path: string): boolean {
      let verdict = false;
      for (const r of compiled) if (r.re.test(path)) verdict = r.kind === 'exclude';
      return verdict;
    },
  };
}

/** The directories to walk for files the rules exclude: the literal part of each exclude pattern. */
export function filterRoots(rules: readonly FilterRule[]): string[] {
  const roots = rules
    .filter((r) => r.kind === 'exclude')
    .map((r) => {
      const literal = r.pattern.split(/[*?[\\]/)[0] ?? '';
      return literal.slice(0, literal.lastIndexOf('/')) || '/';
    });
  return [...new Set(roots)].sort();
}

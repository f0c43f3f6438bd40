/**
 * bootstrap-vz's manifest variables: the manifest as nested mappings with lists dropped, the 23
 * strftime keys of one fixed time, and apt_mirror/apt_security; templates are Python `str.format`
 * strings over them (`{system.release}`, `{provider[name]}`, `{%Y}`, `{{` for a literal brace).
 */
import { isPlainObject } from './pointer.js';
import { strftimeValues } from './strftime.js';
import { nearby } from './suggest.js';
import { formatSpec } from './format-spec.js';
import { TemplateError } from './template-error.js';

export { TemplateError };

/** Default mirrors when the manifest names none (bootstrap-vz used http.debian.net, now retired). */
export const DEFAULT_APT_MIRROR = 'http://deb.debian.org/debian';
export const DEFAULT_APT_SECURITY = 'http://security.debian.org/debian-security';

export type Variables = Readonly<Record<string, unknown>>;

/** The variables of a manifest at a fixed time. */
export function manifestVariables(data: unknown, now: Date): Record<string, unknown> {
  const vars = dropLists(data) as Record<string, unknown>;
  Object.assign(vars, strftimeValues(now));
  const packages = isPlainObject(vars['packages']) ? vars['packages'] : {};
  // Added last, so they win over manifest keys of the same name (as in bootstrap-vz).
  vars['apt_mirror'] = typeof packages['mirror'] === 'string' ? packages['mirror'] : DEFAULT_APT_MIRROR;
  vars['apt_security'] =
    typeof packages['security'] === 'string' ? packages['security'] : DEFAULT_APT_SECURITY;
  return vars;
}

function dropLists(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!Array.isArray(v)) out[k] = dropLists(v);
  return out;
}

/** Expands a template; throws TemplateError for unknown variables and malformed braces. */
export function expandTemplate(template: string, vars: Variables): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const c = template[i];
    if (c === '{' && template[i + 1] === '{') {
      out += '{';
      i += 2;
    } else if (c === '}' && template[i + 1] === '}') {
      out += '}';
      i += 2;
    } else if (c === '}') {
      throw new TemplateError(`single "}" in "${template}": write "}}" for a literal brace`);
    } else if (c === '{') {
      const end = template.indexOf('}', i + 1);
      const open = template.indexOf('{', i + 1);
      if (end === -1)
        throw new TemplateError(`unclosed "{" in "${template}": write "{{" for a literal brace`);
      if (open !== -1 && open < end)
        throw new TemplateError(`nested braces in "${template}" are not supported`);
      out += replaceField(template.slice(i + 1, end), vars, template);
      i = end + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function replaceField(field: string, vars: Variables, template: string): string {
  // Python: field_name ["!" conversion] [":" format_spec]
  const m = /^([^!:]*)(?:!([rsa]))?(?::(.*))?$/s.exec(field);
  if (!m) throw new TemplateError(`malformed field "{${field}}" in "${template}"`);
  const name = m[1] ?? '';
  if (name === '' || /^\d+$/.test(name)) {
    throw new TemplateError(`positional field "{${field}}" in "${template}": only named variables exist`);
  }
  const value = lookup(name, vars);
  const text = m[2] === 'r' || m[2] === 'a' ? pyRepr(value) : pyStr(value);
  return m[3] === undefined || m[3] === '' ? text : formatSpec(value, text, m[3], template);
}

/** Follows `a.b[c]` through the variables as Python's getattr/getitem on dicts would. */
function lookup(name: string, vars: Variables): unknown {
  const parts = name.match(/^[^.[]+|\.[^.[]*|\[[^\]]*\]/g) ?? [];
  if (parts.join('') !== name) throw new TemplateError(`malformed variable name "{${name}}"`);
  let current: unknown = vars;
  let path = '';
  const keys = parts.map((raw) =>
    raw.startsWith('.') ? raw.slice(1) : raw.startsWith('[') ? raw.slice(1, -1) : raw,
  );
  for (const [i, key] of keys.entries()) {
    const next = path === '' ? key : `${path}.${key}`;
    if (!isPlainObject(current) || !Object.hasOwn(current, key)) {
      // Suggest whole names: a close key here under which the rest of the name exists.
      const here = current;
      const rest = keys.slice(i + 1);
      const candidates = isPlainObject(here)
        ? Object.keys(here)
            .filter((k) => resolves(here[k], rest))
            .map((k) => (path === '' ? k : `${path}.${k}`))
        : [];
      const suggestions = nearby(next, candidates).map((c) => [c, ...rest].join('.'));
      throw new TemplateError(`unknown variable "{${name}}"`, name, suggestions);
    }
    current = current[key];
    path = next;
  }
  return current;
}

function resolves(value: unknown, rest: readonly string[]): boolean {
  let v = value;
  for (const k of rest) {
    if (!isPlainObject(v) || !Object.hasOwn(v, k)) return false;
    v = v[k];
  }
  return true;
}

/** Python's str() of YAML values (True/False/None, not true/false/null). */
export function pyStr(v: unknown): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'string') return v;
  if (typeof v === 'object') return pyRepr(v);
  return String(v);
}

function pyRepr(v: unknown): string {
  if (typeof v === 'string') return `'${v.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  if (isPlainObject(v))
    return `{${Object.entries(v)
      .map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`)
      .join(', ')}}`;
  return pyStr(v);
}

/** Every variable name (dotted) that a template may use, for "did you mean" lists. */
export function variableNames(vars: Variables, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(vars)) {
    const name = prefix === '' ? k : `${prefix}.${k}`;
    out.push(name);
    if (isPlainObject(v)) out.push(...variableNames(v, name));
  }
  return out;
}

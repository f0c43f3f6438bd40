/**
 * Checks every field bootstrap-vz expands with the manifest variables, so a typo such as
 * `{system.relase}` fails before the build instead of in the middle of it. The fields are the ones its
 * code formats: name, provider.description, tags values, apt source and preference list names and
 * source lines, packages to install, system.hostname, and the commands plugin's arguments.
 */
import type { CheckReporter } from '../api/plugin.js';
import { isPlainObject, joinPointer } from './pointer.js';
import { TemplateError } from './template-error.js';
import { expandTemplate, type Variables } from './variables.js';

interface Field {
  readonly pointer: string;
  readonly template: string;
  /** Extra variables only this field has (the commands plugin adds {root}). */
  readonly extra?: Variables;
}

export function expandedFields(data: Record<string, unknown>): Field[] {
  const fields: Field[] = [];
  const str = (pointer: string, v: unknown, extra?: Variables) => {
    if (typeof v === 'string')
      fields.push(extra ? { pointer, template: v, extra } : { pointer, template: v });
  };
  const obj = (v: unknown): Record<string, unknown> => (isPlainObject(v) ? v : {});
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

  str('/name', data['name']);
  str('/provider/description', obj(data['provider'])['description']);
  for (const [k, v] of Object.entries(obj(data['tags']))) str(joinPointer('/tags', k), v);
  const system = obj(data['system']);
  str('/system/hostname', system['hostname']);
  const packages = obj(data['packages']);
  list(packages['install']).forEach((v, i) => str(joinPointer('/packages/install', i), v));
  for (const [name, lines] of Object.entries(obj(packages['sources']))) {
    const p = joinPointer('/packages/sources', name);
    str(p, name);
    list(lines).forEach((v, i) => str(joinPointer(p, i), v));
  }
  for (const name of Object.keys(obj(packages['preferences'])))
    str(joinPointer('/packages/preferences', name), name);
  const commands = obj(obj(data['plugins'])['commands']);
  list(commands['commands']).forEach((cmd, i) =>
    list(cmd).forEach((arg, j) => str(`/plugins/commands/commands/${i}/${j}`, arg, { root: '/' })),
  );
  return fields;
}

export function checkVariables(data: Record<string, unknown>, vars: Variables, report: CheckReporter): void {
  for (const field of expandedFields(data)) {
    try {
      expandTemplate(field.template, field.extra ? { ...vars, ...field.extra } : vars);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      const hint =
        err.suggestions.length > 0
          ? `did you mean ${err.suggestions.map((s) => `{${s}}`).join(' or ')}?`
          : err.variable !== undefined
            ? 'variables are manifest keys such as {system.release}, time keys such as {%Y}, and {apt_mirror}; write {{ and }} for literal braces'
            : undefined;
      report.error(field.pointer, err.message, hint);
    }
  }
}

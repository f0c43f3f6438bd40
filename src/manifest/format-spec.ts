/**
 * The part of Python's format-spec mini-language manifests plausibly use: fill, alignment, zero
 * padding, width and precision, for strings (`s`) and integers (`d`). Anything else is reported
 * rather than silently rendered differently from bootstrap-vz.
 */
import { TemplateError } from './template-error.js';

export function formatSpec(value: unknown, text: string, spec: string, template: string): string {
  const m = /^(?:(.)?([<>^=]))?([+\- ])?(0)?(\d+)?(?:\.(\d+))?([sd])?$/su.exec(spec);
  if (!m)
    throw new TemplateError(
      `format spec ":${spec}" in "${template}" is not supported (fill, align, width, precision, s or d only)`,
    );
  const [, fillChar, align, sign, zero, widthText, precision, type] = m;
  const isNumber = typeof value === 'number' && Number.isInteger(value);
  if (type === 'd' && !isNumber)
    throw new TemplateError(`":${spec}" needs a whole number in "${template}", got "${text}"`);
  let body = text;
  if (precision !== undefined && !isNumber) body = body.slice(0, Number(precision));
  if (isNumber && sign === '+' && (value as number) >= 0) body = `+${body}`;
  if (isNumber && sign === ' ' && (value as number) >= 0) body = ` ${body}`;
  const width = Number(widthText ?? 0);
  const fill = fillChar ?? (zero ? '0' : ' ');
  const how = align ?? (zero && isNumber ? '=' : isNumber ? '>' : '<');
  if (body.length >= width) return body;
  const gap = width - body.length;
  switch (how) {
    case '<':
      return body + fill.repeat(gap);
    case '>':
      return fill.repeat(gap) + body;
    case '^':
      return fill.repeat(Math.floor(gap / 2)) + body + fill.repeat(Math.ceil(gap / 2));
    default: {
      // '=': padding after the sign.
      const signed = /^[+\- ]/.test(body);
      return signed ? body[0] + fill.repeat(gap) + body.slice(1) : fill.repeat(gap) + body;
    }
  }
}

/**
 * Writing manifest values into the image's configuration files and other programs' argv (issue 16,
 * item 2). `validate` already refuses values that could break out (src/api/value-patterns.ts,
 * src/manifest/value-checks.ts); these are the writers' own guard, so a value that reaches a writer
 * some other way (a plugin, a --set the schema did not cover, a future field) is escaped for the
 * file's format or refused with a BuildError, never written as an extra line, field or option.
 */
import { BuildError } from './task.js';

/** Whether `value` holds a control character (newlines, NUL, escapes; tab too unless allowed). */
function hasControl(value: string, allowTab = false): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && !(allowTab && c === 0x09)) || c === 0x7f) return true;
  }
  return false;
}

function shown(value: string): string {
  const s = JSON.stringify(value);
  return s.length > 80 ? `${s.slice(0, 77)}..."` : s;
}

/** The value, when it holds no newline or other control character; else a BuildError naming `what`. */
export function oneLineValue(value: string, what: string): string {
  if (hasControl(value)) {
    throw new BuildError(
      `${what} ${shown(value)} holds a newline or another control character`,
      'it would add a line to a file written into the image; fix the manifest value',
    );
  }
  return value;
}

/**
 * A positional argument of a program that has no `--` (debootstrap, or tools whose option parser is
 * not known to honour it): refused when it starts with `-`, as it would be read as an option.
 */
export function positionalArg(value: string, what: string): string {
  if (value.startsWith('-') || value === '') {
    throw new BuildError(
      `${what} ${shown(value)} ${value === '' ? 'is empty' : 'starts with "-"'}`,
      'it is a positional argument of a program that would read it as an option',
    );
  }
  return oneLineValue(value, what);
}

/**
 * One field of /etc/fstab (spec, mount point, type or options). fstab splits fields at blanks and
 * unescapes octal sequences (getmntent(3), libmount), so a space is `\040`, a tab `\011` and a
 * backslash `\134`; a newline cannot be written at all, nor can an empty field or a `#` starting
 * the line.
 */
export function fstabField(value: string, what: string): string {
  if (value === '') throw new BuildError(`${what} is empty`, 'an empty fstab field shifts the others');
  if (hasControl(value, true)) {
    throw new BuildError(
      `${what} ${shown(value)} holds a newline or another control character`,
      'it would add a line to /etc/fstab; fix the manifest value',
    );
  }
  return value.replaceAll('\\', '\\134').replaceAll(' ', '\\040').replaceAll('\t', '\\011');
}

/**
 * A value in a systemd unit or drop-in (`Key=value`): one line, `%` doubled (it starts a specifier),
 * no trailing backslash (it would continue the line into the next key).
 */
export function systemdValue(value: string, what: string): string {
  oneLineValue(value, what);
  if (value.endsWith('\\')) {
    throw new BuildError(
      `${what} ${shown(value)} ends with a backslash`,
      'systemd would join the next line of the unit to it',
    );
  }
  return value.replaceAll('%', '%%');
}

/**
 * A deb822 field value (apt's .sources, Packages-style files): one line and not empty; a newline
 * followed by text would start another field, one followed by a blank continue this one.
 */
export function deb822Value(value: string, what: string): string {
  if (value.trim() === '') throw new BuildError(`${what} is empty`, 'a deb822 field needs a value');
  return oneLineValue(value, what);
}

/**
 * A YAML scalar for cloud-init's configuration: written bare when it is a plain word YAML reads back
 * as the same string, else double-quoted with JSON.stringify (every JSON string is a YAML
 * double-quoted scalar, escapes included, so nothing can end the scalar or start a new key).
 */
export function yamlScalar(value: string): string {
  const plain =
    /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(value) && !/^(y|n|yes|no|true|false|on|off|null|nan|inf)$/i.test(value);
  return plain ? value : JSON.stringify(value);
}

/**
 * A user name as sudoers, passwd-like stdin (`user:hash`) and useradd take it: what useradd accepts
 * without --badname (lowercase, digits, `_` and `-`, not leading `-`), so it can neither add a
 * sudoers rule nor another chpasswd line.
 */
export function userName(value: string, what: string): string {
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(value)) {
    throw new BuildError(
      `${what} ${shown(value)} is not a user name`,
      'lowercase letters, digits, _ and -, not starting with - or a digit, at most 32 characters',
    );
  }
  return value;
}

/**
 * Pure expansion of one command of the `commands` plugin. Each argument is a bootstrap-vz template:
 * Python `str.format` over the manifest variables plus `{root}`, the image root on the host. The
 * manifest's expand() knows the manifest variables only, so `{root}` is cut out first (outside `{{`
 * and `}}` escapes) and the pieces around it are expanded separately.
 */

/** Splits a template at every `{root}` field that is not inside a `{{`/`}}` escape. */
export function splitAtRoot(template: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  let i = 0;
  while (i < template.length) {
    const pair = template.slice(i, i + 2);
    if (pair === '{{' || pair === '}}') {
      i += 2;
    } else if (template.startsWith('{root}', i)) {
      pieces.push(template.slice(start, i));
      i += '{root}'.length;
      start = i;
    } else {
      i++;
    }
  }
  pieces.push(template.slice(start));
  return pieces;
}

/** One argument with `{root}` replaced by the root and every other field expanded. */
export function expandArgument(template: string, root: string, expand: (t: string) => string): string {
  return splitAtRoot(template)
    .map((piece) => expand(piece))
    .join(root);
}

/** A whole argv, argument by argument: an argument never splits into two, whatever it expands to. */
export function expandCommand(
  argv: readonly string[],
  root: string,
  expand: (t: string) => string,
): string[] {
  return argv.map((arg) => expandArgument(arg, root, expand));
}

/**
 * True for a one-string command that only a shell could run (`'chroot {root} rm -rf /x'`). bootstrap-vz
 * handed such commands to `sh`; here no command goes through a shell unless it says so itself.
 */
export function needsShell(argv: readonly string[]): boolean {
  return argv.length === 1 && /[\s|&;<>()$`\\"'*?[\]~]/.test(argv[0] ?? '');
}

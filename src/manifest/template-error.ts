/** A manifest template that cannot be expanded: unknown variable or malformed braces. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  constructor(
    message: string,
    /** Set when the problem is an unknown variable: its full name, e.g. `system.relase`. */
    readonly variable?: string,
    /** Close names that do exist, for a hint. */
    readonly suggestions: readonly string[] = [],
  ) {
    super(message);
  }
}

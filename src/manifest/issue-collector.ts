/**
 * Collects positioned errors and warnings for semantic checks: core rules and plugins report by JSON
 * pointer (the CheckReporter of the plugin API), this places them at the key in the file that set it.
 */
import type { CheckReporter } from '../api/plugin.js';
import { issue, type ManifestIssue } from './issue.js';
import type { SourceMap } from './source-map.js';

export class IssueCollector implements CheckReporter {
  readonly errors: ManifestIssue[] = [];
  readonly warnings: ManifestIssue[] = [];

  constructor(
    private readonly map: SourceMap,
    private readonly fallbackFile: string,
  ) {}

  error(pointer: string, message: string, hint?: string): void {
    this.errors.push(this.at(pointer, message, hint));
  }

  warn(pointer: string, message: string, hint?: string): void {
    this.warnings.push(this.at(pointer, message, hint));
  }

  /** A reporter whose messages are prefixed, e.g. with the plugin that reported them. */
  prefixed(prefix: string): CheckReporter {
    return {
      error: (p, m, h) => this.error(p, `${prefix}${m}`, h),
      warn: (p, m, h) => this.warn(p, `${prefix}${m}`, h),
    };
  }

  private at(pointer: string, message: string, hint?: string): ManifestIssue {
    const normalized = pointer === '/' ? '' : pointer;
    const loc = this.map.locate(normalized);
    const file = loc?.file ?? this.fallbackFile;
    const pos = loc?.pos ?? { line: 1, col: 1 };
    return issue(file, pos, normalized, message, hint, this.map.line(file, pos.line));
  }
}

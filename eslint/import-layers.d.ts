// Types for the TypeScript test that feeds the rule files (test/unit/lint/import-layers.test.ts).
import type { ESLint, Rule } from 'eslint';

export declare const LAYERS: Readonly<Record<string, '*' | readonly string[]>>;
export declare function violation(
  from: { area: string; name: string; rest: string },
  to: { area: string; name: string; rest: string },
): string | undefined;
export declare const importLayersRule: Rule.RuleModule;
declare const plugin: ESLint.Plugin;
export default plugin;

// One linter config for the whole tree. The layering rule below keeps plugins on the public API
// (src/api, and a sibling plugin's public.ts only), so the core can change behind them, and each src/
// folder on the layers ARCHITECTURE.md gives it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importLayers from './eslint/import-layers.js';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.venv/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Node scripts outside the TypeScript tree.
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    // The layer table of ARCHITECTURE.md, at any folder depth (eslint/import-layers.js).
    files: ['src/**/*.ts', 'plugins/**/*.ts'],
    plugins: { layers: importLayers },
    rules: { 'layers/import-layers': 'error' },
  },
);

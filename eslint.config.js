// Lint: typescript-eslint's recommended rules plus the project's own house rules.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/**', 'test/mongo/target/**', 'test/generated/**', 'test/.doc-examples/**', 'dist/**', 'coverage/**', 'console/dist/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    // The compliance console runs in a browser.
    files: ['console/src/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Scripts and benchmarks talk to a terminal.
    files: ['src/scripts/**', 'bench/**', 'soak/**', 'src/serve.ts', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
);

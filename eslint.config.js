// Lint rules that catch real bugs (STYLE.md): unhandled promises, `any` leaking through module boundaries,
// console output from library code.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', 'node_modules/**', 'public/**', 'scratch/**', 'test-results/**', 'bench/results/**', 'bench/.models/**', 'packages/colbert-web/assembly/**'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  { files: ['packages/colbert-web/src/**/*.ts'], ignores: ['**/*.test.ts', '**/testing/**'], rules: { 'no-console': 'error' } },
);

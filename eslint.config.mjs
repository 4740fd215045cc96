// ESLint flat config for the whole repo (`pnpm lint`, after `pnpm build`: type-aware rules read the packages'
// dist types). Prettier owns the layout, so no stylistic rules here; max-len only catches the long comments
// Prettier cannot wrap.
// .mjs because the root package.json has no "type": "module".
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The TypeScript covered by a package's tsconfig.json ("include": ["src", "test"]): linted with types.
const typedFiles = ['packages/*/src/**/*.ts', 'packages/*/test/**/*.ts'];
// Library code that runs inside the user's app (the CLIs under bench/ and runtimes/ print on purpose).
const libraryFiles = ['packages/{core,pino-loki-transport,winston-loki-transport,testing}/src/**'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', 'docs/**'] },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.node } },
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    // CommonJS: .cjs/.cts, and the release rehearsal's CommonJS bundle app (plain .js in a CommonJS folder).
    files: ['**/*.cjs', '**/*.cts', '.ci/rehearsal/bundle-cjs/src/**'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The cross-runtime fixtures run under Bun and Deno too.
    files: ['packages/runtimes/fixtures/**'],
    languageOptions: { globals: { Bun: 'readonly', Deno: 'readonly' } },
  },
  {
    files: typedFiles,
    extends: [tseslint.configs.recommendedTypeCheckedOnly],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A dropped promise is a rejection nobody sees and an ordering nobody meant: the bugs these catch.
      // (Both are in recommendedTypeChecked; named here because they are the reason for type-aware linting.)
      '@typescript-eslint/no-misused-promises': 'error',
      // The SDK's log calls answer a promise of the delivery that never rejects (flush() never rejects):
      // `sdk.info('x')` without await is the documented use, not a dropped error.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'file',
              path: 'packages/core/src/sdk.ts',
              name: ['log', 'debug', 'info', 'warn', 'warning', 'error', 'critical', 'fatal'],
            },
          ],
        },
      ],
      // Off: every String(x) here is the deliberate "anything to text" step on a value already narrowed
      // (objects go through safeStringify first); the rule flagged 14, none a bug. `${object}` in a
      // template is still caught by restrict-template-expressions.
      '@typescript-eslint/no-base-to-string': 'off',
      // Passing on what was caught (`catch (e) { return Promise.reject(e) }`) is not inventing a non-Error.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
    },
  },
  {
    // Tests read parsed JSON (`any`) and check it with expect(): typing it first adds nothing.
    files: ['packages/*/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    rules: {
      eqeqeq: ['error', 'always'],
      // A `let` declared early so that closures made before its one assignment can read it (undefined until then).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      'no-unused-vars': 'off', // the TypeScript rule below covers .mjs too
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      // "No source line over 120 characters": Prettier wraps code at 120; what it leaves long is a
      // comment (always rewrappable, so checked) or a string/template literal (exempt: split with `+`, an
      // error message or a verbatim Loki answer can no longer be found with grep).
      'max-len': [
        'error',
        {
          code: 120,
          ignoreUrls: true,
          ignoreStrings: true,
          ignoreTemplateLiterals: true,
          ignoreRegExpLiterals: true,
        },
      ],
    },
  },
  {
    files: libraryFiles,
    // No console spam from inside the user's app: errors go through the one error path (onError/events).
    rules: { 'no-console': 'error' },
  },
);

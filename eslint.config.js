// ESLint (flat config): typescript-eslint's recommended rules without type information (fast), and
// the architecture's import rules: web -> domain -> db, mail intake above the domain, the outbox
// below it, the web layer never touching Prisma, and no import cycles in src.
import js from '@eslint/js'
import { defineConfig, globalIgnores } from 'eslint/config'
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript'
import importX from 'eslint-plugin-import-x'
import globals from 'globals'
import tseslint from 'typescript-eslint'

const root = import.meta.dirname
// The resolver below (resolver-next) replaces the legacy resolver setting of import-x's TypeScript preset.
const { 'import-x/resolver': _legacyResolver, ...importXTypeScriptSettings } = importX.flatConfigs.typescript.settings

export default defineConfig([
  globalIgnores(['node_modules/', 'src/generated/', 'dist/', 'data/', 'coverage/', 'tests/artifacts/', 'bench/results/', 'prisma/migrations/']),

  js.configs.recommended,
  tseslint.configs.recommended,

  {
    name: 'suivi/base',
    linterOptions: { reportUnusedDisableDirectives: 'warn' },
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      // Unused variables and imports are errors; a leading _ marks one that is unused on purpose.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // Deliberate patterns of this code base, checked by TypeScript or by review instead.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Mail and header handling strips control characters on purpose (/[\x00-\x1f]/).
      'no-control-regex': 'off',
      // `catch {}`: a best-effort step whose failure changes nothing (kill, fetch while waiting).
      'no-empty': ['error', { allowEmptyCatch: true }],
      // `declare global { namespace Express { ... } }` is how Express's Request is augmented.
      '@typescript-eslint/no-namespace': ['error', { allowDeclarations: true }],
    },
  },

  // The import rules, for the TypeScript sources (imports written with their .ts extension).
  {
    name: 'suivi/imports',
    files: ['**/*.ts', '**/*.mts'],
    plugins: { 'import-x': importX },
    settings: {
      // import-x's TypeScript settings: without them it does not read .ts files, and no-cycle sees no cycle.
      ...importXTypeScriptSettings,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: `${root}/tsconfig.json`, alwaysTryTypes: true })],
    },
    rules: {
      'import-x/no-self-import': 'error',
      // Without a resolved path no-restricted-paths cannot see an import: an unresolved one is an error.
      'import-x/no-unresolved': 'error',
    },
  },
  {
    name: 'suivi/architecture',
    files: ['src/**/*.ts'],
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': [
        'error',
        {
          basePath: root,
          zones: [
            {
              target: './src/domain',
              from: ['./src/web', './src/app.ts', './src/server.ts', './src/jobs', './src/mail/inbound', './src/reactions'],
              message: 'The domain sits below the web layer, the jobs, mail intake and the listeners (it gets its reactions through its context).',
            },
            {
              target: './src/web',
              from: './src/db',
              // The only modules of src/db the web layer may use: keep this list short.
              except: ['./unavailable.ts', './sessionStore.ts', './rateLimitStore.ts'],
              message: 'The web layer goes through the domain, never to the database.',
            },
            {
              target: './src/web',
              from: './src/generated',
              message: 'The web layer never touches Prisma: use the domain.',
            },
            {
              target: './src/mail/outbound',
              from: ['./src/domain/**/commands/**'],
              message: 'The outbox sits below the domain: domain commands use it, not the other way round.',
            },
            {
              target: './src/mail/outbound',
              from: ['./src/web', './src/mail/inbound'],
              message: 'The outbox sits below the domain, the web layer and mail intake.',
            },
            {
              target: './src/db',
              from: ['./src/domain', './src/web', './src/mail'],
              message: 'The database layer is the bottom layer.',
            },
          ],
        },
      ],
    },
  },
  {
    // The start-up context routers receive names the database handle's type (built by
    // src/server.ts); routers pass its client to domain queries and never call it themselves.
    name: 'suivi/app-context',
    files: ['src/web/context.ts'],
    rules: { 'import-x/no-restricted-paths': 'off' },
  },
  {
    name: 'suivi/web-no-prisma',
    files: ['src/web/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'pg', message: 'The web layer never touches the database: use the domain.' },
            { name: 'prisma', message: 'The web layer never touches Prisma: use the domain.' },
          ],
          patterns: [{ regex: '^@prisma/', message: 'The web layer never touches Prisma: use the domain.' }],
        },
      ],
    },
  },

  // The browser's scripts, served as they are (no bundler): plain scripts with the browser's globals.
  {
    name: 'suivi/browser-scripts',
    files: ['public/js/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser, Quill: 'readonly' } },
  },
])

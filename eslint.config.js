// ESLint flat config for the whole repository (`npm run lint`).
// Besides ordinary hygiene it enforces the architecture rules of ARCHITECTURE.md:
//   1. the kernel never imports a module (nor the module list),
//   2. a module imports another module only through '../<other>/index.js',
//   3. only apps/server/src/kernel/config.ts reads process.env.
// Type-aware rules are deliberately off: linting stays fast and independent of the typecheck step.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const nodeGlobals = Object.fromEntries(
  ['process', 'console', 'URL', 'URLSearchParams', 'Buffer', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'fetch', 'structuredClone'].map(
    (name) => [name, 'readonly'],
  ),
);

/** process.env may be imported this way too; always restricted alongside the path rules below. */
const environmentImports = ['process', 'node:process'].map((name) => ({
  name,
  importNames: ['env'],
  message: 'Only apps/server/src/kernel/config.ts reads the environment; take a Config instead.',
}));

const kernelImportRule = {
  regex: String.raw`^(?:\.\.?/)+(?:.*/)?modules(?:/|\.js$|\.ts$|$)`,
  message: 'The kernel never imports a module (or modules.ts). Have app.ts pass the module logic in.',
};

/**
 * For a file `depth` directories below apps/server/src/modules/<name>/, the relative prefix that climbs
 * out of its own module is '../' repeated depth + 1 times. From there a sibling module may be reached
 * only at '<other>/index.js'. Generated per depth because no-restricted-imports matches the specifier text.
 */
function moduleImportRules(depth) {
  const up = '\\.\\./'.repeat(depth + 1);
  return [
    {
      regex: `^${up}(?!\\.\\./)[^/]+/(?!index\\.js$).+`,
      message: "Import another module only through its public API: '../<module>/index.js' (no deep imports).",
    },
    {
      regex: `^${up}\\.\\./modules/[^/]+/(?!index\\.js$).+`,
      message: "Import another module only through its public API: '../<module>/index.js' (no deep imports).",
    },
    {
      regex: `^${up}\\.\\./(?:modules|app|main)(?:\\.js|\\.ts)?$`,
      message: 'A module must not import the module list, app.ts or main.ts.',
    },
  ];
}

/**
 * `type` over `interface`, except inside `declare module`/`declare global` blocks: augmenting Fastify's
 * or Vitest's types needs declaration merging, which only interfaces support.
 */
const typeOverInterface = [
  {
    selector: 'Program > TSInterfaceDeclaration, Program > ExportNamedDeclaration > TSInterfaceDeclaration',
    message: 'Use a `type` alias instead of an `interface` (interfaces only for declaration merging).',
  },
];

const moduleDepths = [0, 1, 2, 3, 4];

export default defineConfig(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'data/**',
      'test-results/**',
      'coverage/**',
      'playwright-report/**',
      'e2e/artifacts/**',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    name: 'omni/javascript-files',
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: nodeGlobals },
  },
  {
    name: 'omni/general',
    rules: {
      eqeqeq: ['error', 'smart'],
      curly: ['error', 'multi-line'],
      'no-var': 'error',
      'prefer-const': 'error',
      'object-shorthand': ['error', 'properties'],
      'no-throw-literal': 'error',
      'no-return-assign': 'error',
      'no-self-compare': 'error',
      'no-template-curly-in-string': 'error',
      'no-unused-private-class-members': 'error',
      'no-restricted-imports': ['error', { paths: environmentImports }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      'no-restricted-syntax': ['error', ...typeOverInterface],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-import-type-side-effects': 'error',
    },
  },
  {
    name: 'omni/application-code',
    files: ['apps/server/src/**/*.ts', 'apps/server/test/**/*.ts', 'packages/*/src/**/*.ts', 'bench/**/*.ts', 'e2e/**/*.ts'],
    ignores: ['apps/server/src/kernel/config.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only apps/server/src/kernel/config.ts reads process.env; use parseConfig() or take a Config.' },
      ],
    },
  },
  {
    // The server logs through pino; the CLI (main.ts) and bench scripts talk to a terminal.
    name: 'omni/server-logging',
    files: ['apps/server/src/**/*.ts'],
    ignores: ['apps/server/src/main.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    // Named exports only in application code (tool configs and Vitest global setups need a default export).
    name: 'omni/named-exports',
    files: ['apps/server/src/**/*.ts', 'packages/*/src/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error', ...typeOverInterface, { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
    },
  },
  {
    name: 'omni/kernel-boundary',
    files: ['apps/server/src/kernel/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: environmentImports, patterns: [kernelImportRule] }],
    },
  },
  moduleDepths.map((depth) => ({
    name: `omni/module-boundary-depth-${depth}`,
    files: [`apps/server/src/modules/*/${'*/'.repeat(depth)}*.ts`],
    rules: {
      'no-restricted-imports': ['error', { paths: environmentImports, patterns: moduleImportRules(depth) }],
    },
  })),
);

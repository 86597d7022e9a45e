import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The libs, lowest first. A lib may import only the libs before it, and only through their
 * index (`@app/<lib>`): never a file inside another lib.
 */
const LAYERS = [['platform'], ['org'], ['notifications'], ['tickets'], ['assessment', 'campaigns'], ['cycles'], ['documents']];
const LIBS = LAYERS.flat();
const deepImports = {
  group: ['@app/*/**', ...LIBS.map((l) => `**/libs/${l}/**`), ...LIBS.map((l) => `**/${l}/src/**`)],
  message: 'Import another lib only through its index, @app/<lib>',
};
function libBoundaries(lib) {
  const layer = LAYERS.findIndex((l) => l.includes(lib));
  const above = LAYERS.flatMap((l, i) => (i >= layer ? l : [])).filter((l) => l !== lib);
  return {
    files: [`libs/${lib}/src/**/*.ts`],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: above.map((l) => ({ name: `@app/${l}`, message: `${lib} sits below ${l}: imports between libs point downward only` })),
          patterns: [
            { ...deepImports, group: deepImports.group.filter((g) => !g.includes(`/${lib}/`)) },
            { group: [`@app/${lib}`], message: 'Inside a lib, import its own files by relative path' },
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'data/**',
      'test-artifacts/**',
      '*.config.js',
      '*.config.mjs',
      'test/support/*.js',
      'test/fixtures/**/*.mjs',
      'apps/api/src/console/assets/**',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.jest },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Only libs/platform config reads process.env' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.object.name=/^(it|describe|test)$/][callee.property.name=/^(only|skip)$/]',
          message: 'No focused or skipped tests',
        },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Ask the injected Clock for now' },
      ],
    },
  },
  {
    files: ['libs/platform/src/config/**', 'libs/platform/src/process/**', 'test/**', 'bench/**', 'scripts/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**', 'bench/**', 'scripts/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.object.name=/^(it|describe|test)$/][callee.property.name=/^(only|skip)$/]',
          message: 'No focused or skipped tests',
        },
      ],
    },
  },
  ...LIBS.map(libBoundaries),
  {
    files: ['apps/**/*.ts'],
    ignores: ['apps/schema/**', '**/*.spec.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [deepImports] }] },
  },
  {
    files: ['apps/api/**/*.ts'],
    ignores: ['apps/api/src/main.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [deepImports, { group: ['**/worker/src/**'], message: 'Only the API’s main starts the worker module (--with-worker)' }],
        },
      ],
    },
  },
  {
    files: ['apps/worker/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [deepImports, { group: ['**/api/src/**'], message: 'The worker does not import the API' }] },
      ],
    },
  },
  {
    files: ['**/*.service.ts', '**/*controller.ts'],
    rules: { 'max-lines': ['error', { max: 300, skipBlankLines: true, skipComments: true }] },
  },
);

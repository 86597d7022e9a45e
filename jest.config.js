/** Jest runs TypeScript through swc; ESM-only packages (NestJS 12 and others) are compiled too. */
const swc = {
  sourceMaps: 'inline',
  module: { type: 'commonjs' },
  jsc: {
    target: 'es2023',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    keepClassNames: true,
  },
};
module.exports = {
  testEnvironment: 'node',
  // End-to-end files start the whole application (migrations, seed, queue) in beforeAll; on a
  // loaded 2-core machine that can take well over Jest's default 5 s.
  testTimeout: 60_000,
  globalSetup: '<rootDir>/test/support/global-setup.js',
  rootDir: '.',
  testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', { ...swc, swcrc: false }] },
  // Many dependencies ship ESM only (NestJS 12 among them); swc compiles them for Jest too.
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|@fastify|@electric-sql|content-disposition|file-type|strtok3|token-types|@tokenizer|uint8array-extras|fflate|@borewit|csv-parse|echarts|zrender|docx|fast-check|pure-rand|chinese-days|cookie)/)',
  ],
  moduleNameMapper: {
    '^@app/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    // ESM-only with an import-only export map, which Jest's CommonJS resolver cannot follow.
    '^file-type$': '<rootDir>/node_modules/file-type/index.js',
  },
};

/** Jest runs every suite; DB-touching suites repeat themselves on each database in TEST_DATABASES. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }] },
  testTimeout: 60_000,
  maxWorkers: 2,
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
};

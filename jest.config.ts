import type { Config } from 'jest';

// ESM throughout: ts-jest only transpiles (type errors are caught by `tsc` in `npm test`),
// relative `.js` specifiers map back to their `.ts` sources, and workspace packages map to
// their sources so tests never run against a stale dist/.
const sharedProjectConfig = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^@llmproxy/connector-sdk$': '<rootDir>/../connector-sdk/src/index.ts',
    '^@llmproxy/connector-sdk/testing$': '<rootDir>/../connector-sdk/src/testing/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/../../tsconfig.test.json' }],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
} satisfies Config;

const config: Config = {
  projects: [
    { ...sharedProjectConfig, displayName: 'connector-sdk', rootDir: 'packages/connector-sdk' },
    { ...sharedProjectConfig, displayName: 'core', rootDir: 'packages/core' },
  ],
};

export default config;

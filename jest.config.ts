import { posix } from 'node:path';
import type { Config } from 'jest';

/**
 * One jest project per package. ESM throughout: ts-jest only transpiles (type errors are caught
 * by `tsc` in `npm test`), relative `.js` specifiers map back to their `.ts` sources, and the SDK
 * maps to its sources so tests never run against a stale dist/.
 */
function packageProject(displayName: string, rootDir: string): Config {
  const sdkSources = `<rootDir>/${posix.relative(rootDir, 'packages/connector-sdk/src')}`;
  return {
    displayName,
    rootDir,
    testEnvironment: 'node',
    extensionsToTreatAsEsm: ['.ts'],
    moduleNameMapper: {
      '^@llmproxy/connector-sdk$': `${sdkSources}/index.ts`,
      '^@llmproxy/connector-sdk/testing$': `${sdkSources}/testing/index.ts`,
      '^(\\.{1,2}/.*)\\.js$': '$1',
    },
    transform: {
      '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: `<rootDir>/${posix.relative(rootDir, 'tsconfig.test.json')}` }],
    },
    testMatch: ['<rootDir>/test/**/*.test.ts'],
  };
}

const config: Config = {
  // Many tests start the CLI, real servers and browsers: the timeout catches hangs, it is not a
  // speed check (speed is measured in bench/), so it leaves room for a loaded 2-core machine.
  // A global option: jest ignores it inside a project.
  testTimeout: 30_000,
  projects: [
    packageProject('connector-sdk', 'packages/connector-sdk'),
    packageProject('core', 'packages/core'),
    packageProject('oauth-connectors', 'packages/oauth-connectors'),
    packageProject('connector-minimal', 'examples/connector-minimal'),
  ],
};

export default config;

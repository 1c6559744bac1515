/**
 * Resolved settings for server tests, built directly rather than through config resolution.
 */
import type { ProxySettings, ResolvedSettings } from '../../../src/config/proxy-settings.js';

export const TEST_API_KEY = 'test-key-0123456789abcdef';
export const SECOND_TEST_API_KEY = 'second-key-fedcba9876543210';

type SettingsOverrides = Partial<Omit<ProxySettings, 'auth' | 'server'>> & {
  auth?: Partial<ProxySettings['auth']>;
  server?: Partial<ProxySettings['server']>;
};

export function testSettings(overrides: SettingsOverrides = {}): ResolvedSettings {
  const { auth, server, ...rest } = overrides;
  const values: ProxySettings = {
    host: '127.0.0.1',
    port: 0,
    configFile: undefined,
    defaultBackend: 'echo',
    modelRoutes: [],
    logLevel: 'debug',
    logFile: '/dev/null',
    accessMode: 'single_user',
    sso: { enabled: false },
    notifications: { enabled: false },
    oauthDebuggingOverrides: [],
    allowOauthAutoReplacement: false,
    metrics: { enabled: false, port: undefined, host: '127.0.0.1', callerLabel: false },
    plugins: [],
    backends: {},
    callers: { defaults: {}, byId: {}, byGroup: {} },
    usage: { enabled: false, databaseFile: '/dev/null' },
    storage: { databaseUrl: undefined, redisUrl: undefined },
    prices: {},
    ...rest,
    auth: { disabled: false, apiKeys: [TEST_API_KEY, SECOND_TEST_API_KEY], ...auth },
    server: {
      bodyLimitBytes: 64 * 1024,
      upstreamTimeoutMs: 10_000,
      upstreamBodyLimitBytes: 64 * 1024 * 1024,
      upstreamEventLimitBytes: 16 * 1024 * 1024,
      streamFirstContentTimeoutMs: 300_000,
      streamIdleTimeoutMs: 120_000,
      drainTimeoutMs: 5_000,
      requestTimeoutMs: 60_000,
      allowedOrigins: [],
      trustProxy: [],
      upstreamKeyRetryMs: 30_000,
      upstreamKeyRetryMaxMs: 1_800_000,
      fallbackRestMs: 30_000,
      ...server,
    },
  };
  return { values: Object.freeze(values), sources: {} };
}

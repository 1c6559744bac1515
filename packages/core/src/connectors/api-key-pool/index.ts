/**
 * @fileoverview The shared API-key pool of every API-key connector: reading keys from the
 * environment and YAML, round-robin use, 401 removal and 429 rest.
 */
export { ApiKeyPool, DEFAULT_RATE_LIMIT_COOLDOWN_SECONDS, type AcquiredApiKey, type ApiKeyPoolOptions } from './api-key-pool.js';
export { readApiKeys, readEnvironmentApiKeys, readYamlApiKeys, type ReadApiKeysOptions } from './read-api-keys.js';
export { parseRetryAfter } from './parse-retry-after.js';
export { sendWithApiKeyPool, type SendWithApiKeyPoolOptions } from './send-with-api-key-pool.js';

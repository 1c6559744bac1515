/**
 * The services @llmproxy/core hands every connector (its upstream HTTP client and its wire
 * codecs), taken from core's sources so these tests exercise the connectors exactly as core runs
 * them. Only tests reach into core; the package itself depends on the SDK alone.
 */
import type { ConnectorLogger, UpstreamHttpClient } from '@llmproxy/connector-sdk';
import { coreWireCodecs } from '../../../core/src/protocols/wire-codecs.js';
import { createUpstreamHttpClient } from '../../../core/src/upstream/create-upstream-http-client.js';

export { coreWireCodecs };

/** Core's real upstream client (got), with a logger that forwards to `logger`. */
export function createCoreHttpClient(logger: ConnectorLogger): UpstreamHttpClient & { close(): void } {
  const appLogger = { ...logger, child: () => appLogger };
  return createUpstreamHttpClient({ timeoutMs: 10_000, logger: appLogger });
}

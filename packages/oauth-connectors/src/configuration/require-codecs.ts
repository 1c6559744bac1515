/**
 * @fileoverview The wire codecs this package's connectors need from their host.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { ConnectorContext, WireCodecs } from '@llmproxy/connector-sdk';

export function requireCodecs(context: ConnectorContext): WireCodecs {
  if (context.codecs !== undefined) return context.codecs;
  throw new LlmProxyError({
    code: 'CONNECTOR_HOST_TOO_OLD',
    message: `Backend ${context.backendName} needs the wire codecs that @llmproxy/core provides to connectors, and this host provides none`,
    fix: 'Update @llmproxy/core to a version that provides connector codecs (the same release line as @llmproxy/oauth-connectors)',
  });
}

/**
 * @fileoverview Reads one provider's OpenID Connect discovery document with openid-client and
 * prepares what the sign-in flow and bearer validation need. Plain-http issuers are accepted
 * only on loopback (openid-client refuses them unless told, via `allowInsecureRequests`).
 */
import * as openid from 'openid-client';
import { LlmProxyError } from '@llmproxy/connector-sdk';

import type { SsoProviderSettings } from '../config/proxy-settings.js';
import { isLoopbackUrl } from './is-loopback-url.js';

/** A configured provider after discovery. */
export interface IdentityProvider {
  settings: SsoProviderSettings;
  /** openid-client's view of the provider and of the proxy as its client. */
  configuration: openid.Configuration;
  /** The `issuer` of the discovery document: what `iss` claims must equal. */
  issuer: string;
  jwksUri: URL | undefined;
  hasUserInfo: boolean;
}

export interface DiscoverIdentityProviderOptions {
  provider: SsoProviderSettings;
  clientSecret: string;
  /** Seconds to wait for the discovery document. */
  timeoutSeconds?: number;
}

export async function discoverIdentityProvider(options: DiscoverIdentityProviderOptions): Promise<IdentityProvider> {
  const { provider, clientSecret } = options;
  const issuerUrl = new URL(provider.issuer);
  const insecureAllowed = issuerUrl.protocol === 'http:' && isLoopbackUrl(issuerUrl);
  let configuration: openid.Configuration;
  try {
    configuration = await openid.discovery(issuerUrl, provider.clientId, clientSecret, undefined, {
      timeout: options.timeoutSeconds ?? 15,
      ...(insecureAllowed ? { execute: [openid.allowInsecureRequests] } : {}),
    });
  } catch (error) {
    throw new LlmProxyError({
      code: 'SSO_DISCOVERY_FAILED',
      message: `The OpenID Connect discovery document of SSO provider ${provider.id} cannot be read`,
      currentValue: `issuer ${provider.issuer}: ${describeFailure(error)}`,
      fix:
        `Check that ${new URL('.well-known/openid-configuration', issuerUrl.href.endsWith('/') ? issuerUrl : `${issuerUrl.href}/`).href} ` +
        'answers from this machine and that issuer is written exactly as the provider states it (the "issuer" field of that document)',
      details: { provider: provider.id },
      cause: error,
    });
  }
  const metadata = configuration.serverMetadata();
  return {
    settings: provider,
    configuration,
    issuer: metadata.issuer,
    jwksUri: metadata.jwks_uri === undefined ? undefined : new URL(metadata.jwks_uri),
    hasUserInfo: metadata.userinfo_endpoint !== undefined,
  };
}

function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

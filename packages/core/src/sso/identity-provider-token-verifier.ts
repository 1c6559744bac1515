/**
 * @fileoverview Validates access and ID tokens issued by a configured identity provider and
 * sent as bearer tokens by machine clients: signature against the provider's JWKS (fetched
 * with jose, refetched when a token names a key it has not seen, which is how key rotation
 * reaches us), issuer, audience, expiry, then the allowed-user rules.
 *
 * Opaque access tokens (e.g. Google's) are not JWTs and cannot be checked this way: such
 * clients use a personal proxy token instead.
 */
import { createRemoteJWKSet, decodeJwt, errors, jwtVerify, type JWTPayload } from 'jose';
import { LlmProxyError } from '@llmproxy/connector-sdk';

import { decideAllowedUser, userFromClaims } from './allowed-users.js';
import type { IdentityProvider } from './discover-identity-provider.js';
import type { SsoUser } from './sso-user.js';

/** Only public-key algorithms: a JWKS never holds a shared secret worth trusting. */
const ACCEPTED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
/** Allowed difference between the provider's clock and ours. */
const CLOCK_TOLERANCE_SECONDS = 30;
/** How long after one JWKS fetch an unknown key id may trigger the next (jose's default). */
export const DEFAULT_JWKS_COOLDOWN_MS = 30_000;

export type IdentityProviderTokenVerdict =
  | { kind: 'user'; user: SsoUser }
  | { kind: 'refused'; error: LlmProxyError }
  /** Not a JWT, or not issued by a configured provider. */
  | { kind: 'not-recognized' };

export interface IdentityProviderTokenVerifierOptions {
  providers: readonly IdentityProvider[];
  now: () => number;
  jwksCooldownMs?: number;
}

export type IdentityProviderTokenVerifier = (token: string) => Promise<IdentityProviderTokenVerdict>;

export function createIdentityProviderTokenVerifier(options: IdentityProviderTokenVerifierOptions): IdentityProviderTokenVerifier {
  const keySets = new Map(
    options.providers.flatMap((provider) =>
      provider.jwksUri === undefined
        ? []
        : [[provider, createRemoteJWKSet(provider.jwksUri, { cooldownDuration: options.jwksCooldownMs ?? DEFAULT_JWKS_COOLDOWN_MS, timeoutDuration: 5_000 })] as const],
    ),
  );

  return async (token) => {
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      return { kind: 'not-recognized' };
    }
    const candidates = options.providers.filter((provider) => provider.issuer === unverified.iss);
    if (candidates.length === 0) return { kind: 'not-recognized' };

    const reasons: string[] = [];
    for (const provider of candidates) {
      const keySet = keySets.get(provider);
      if (keySet === undefined) {
        reasons.push(`provider ${provider.settings.id} publishes no jwks_uri`);
        continue;
      }
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keySet, {
          issuer: provider.issuer,
          audience: [...provider.settings.audiences],
          algorithms: ACCEPTED_ALGORITHMS,
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          currentDate: new Date(options.now()),
        }));
      } catch (error) {
        reasons.push(describeVerificationFailure(error, provider));
        continue;
      }
      const described = userFromClaims(provider.settings, payload);
      if ('problem' in described) {
        reasons.push(described.problem);
        continue;
      }
      const decision = decideAllowedUser(described.user, provider.settings.allowedUsers);
      if (!decision.allowed) {
        return {
          kind: 'refused',
          error: new LlmProxyError({
            code: 'SSO_USER_NOT_ALLOWED',
            message: `The user ${described.user.id} is not allowed to use this proxy`,
            currentValue: decision.reason,
            fix: `Ask the proxy operator to allow this account in sso.providers.${provider.settings.id}.allowed_users`,
            httpStatus: 403,
          }),
        };
      }
      return { kind: 'user', user: described.user };
    }
    return {
      kind: 'refused',
      error: new LlmProxyError({
        code: 'SSO_BEARER_INVALID',
        message: `The bearer token issued by ${String(unverified.iss)} is not valid`,
        currentValue: reasons.join('; '),
        fix: 'Send a current access or ID token of the configured identity provider, or a personal proxy token from /auth/login',
        httpStatus: 401,
      }),
    };
  };
}

function describeVerificationFailure(error: unknown, provider: IdentityProvider): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return `its audience is not one of ${provider.settings.audiences.join(', ')} (sso.providers.${provider.settings.id}.audiences)`;
    if (error.claim === 'nbf') return 'the token is not valid yet';
    return `its ${error.claim} claim is not acceptable (${error.reason})`;
  }
  if (error instanceof errors.JWKSNoMatchingKey) return 'it is signed with a key the provider does not publish';
  if (error instanceof errors.JWSSignatureVerificationFailed) return "its signature does not match the provider's keys";
  if (error instanceof errors.JOSEAlgNotAllowed) return 'it is signed with an algorithm that is not accepted';
  if (error instanceof errors.JWKSTimeout) return "the provider's keys could not be fetched in time";
  if (error instanceof errors.JOSEError) return `it could not be verified (${error.code})`;
  return `it could not be verified (${error instanceof Error ? error.message : String(error)})`;
}

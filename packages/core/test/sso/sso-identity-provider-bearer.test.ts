/**
 * @fileoverview Machine clients sending a token issued by the identity provider itself: ID
 * tokens and JWT access tokens validated against the provider's JWKS (signature, issuer,
 * audience, expiry, allowed users), including a signing-key rotation at the provider.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt, decodeProtectedHeader } from 'jose';

import { obtainTokensAsClient } from './support/sign-in.js';
import { CLI_CLIENT_ID, CLIENT_REDIRECT_URI, OTHER_CLIENT_ID, startSsoTestSetup, type SsoTestSetup } from './support/sso-test-setup.js';
import { JWT_ACCESS_TOKEN_RESOURCE } from './support/test-identity-provider.js';

describe('bearer tokens issued by a configured identity provider', () => {
  let setup: SsoTestSetup;

  beforeAll(async () => {
    setup = await startSsoTestSetup();
  });

  afterAll(async () => {
    await setup?.close();
  });

  async function whoami(token: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${setup.proxyBase}/whoami`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const tokensFor = (login: string, clientId = CLI_CLIENT_ID, resource?: string) =>
    obtainTokensAsClient({
      issuer: setup.idp.issuer,
      clientId,
      redirectUri: CLIENT_REDIRECT_URI,
      login,
      ...(resource === undefined ? {} : { resource }),
    });

  it('accepts an ID token issued for an accepted audience', async () => {
    const { idToken } = await tokensFor('alice');
    expect(decodeJwt(idToken)).toMatchObject({ iss: setup.idp.issuer, aud: CLI_CLIENT_ID, email: 'alice@example.com' });
    expect(await whoami(idToken)).toEqual({
      status: 200,
      body: { user: 'test-idp:alice', email: 'alice@example.com', credential: 'identity-provider-token' },
    });
  });

  it('accepts a JWT access token issued for the proxy’s API', async () => {
    const { accessToken } = await tokensFor('carol', CLI_CLIENT_ID, JWT_ACCESS_TOKEN_RESOURCE);
    expect(decodeJwt(accessToken)).toMatchObject({ aud: JWT_ACCESS_TOKEN_RESOURCE, sub: 'carol' });
    expect(await whoami(accessToken)).toMatchObject({ status: 200, body: { user: 'test-idp:carol', credential: 'identity-provider-token' } });
  });

  it('refuses a token issued for another audience', async () => {
    const { idToken } = await tokensFor('alice', OTHER_CLIENT_ID);
    const refused = await whoami(idToken);
    expect(refused.status).toBe(401);
    expect(refused.body['code']).toBe('SSO_BEARER_INVALID');
    expect(String(refused.body['message'])).toContain('its audience is not one of llm-proxy, llm-cli, urn:llmproxy:api');
  });

  it('refuses a valid token of a user the rules do not allow', async () => {
    const { idToken } = await tokensFor('bob');
    const refused = await whoami(idToken);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'SSO_USER_NOT_ALLOWED' });
    expect(String(refused.body['message'])).toContain('bob@other.org is not in an allowed domain');
  });

  it('refuses an expired token', async () => {
    const { idToken } = await tokensFor('alice');
    setup.advanceClock(2 * 60 * 60 * 1000);
    try {
      const refused = await whoami(idToken);
      expect(refused.status).toBe(401);
      expect(String(refused.body['message'])).toContain('the token has expired');
    } finally {
      setup.advanceClock(-2 * 60 * 60 * 1000);
    }
  });

  it('refuses a token whose signature was forged', async () => {
    const { idToken } = await tokensFor('alice');
    const [header, , signature] = idToken.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...decodeJwt(idToken), sub: 'carol', email: 'carol@example.com' })).toString('base64url');
    const refused = await whoami(`${header}.${forgedPayload}.${signature}`);
    expect(refused.status).toBe(401);
    expect(String(refused.body['message'])).toContain("its signature does not match the provider's keys");
  });

  it('leaves JWTs of unknown issuers and other text to the other checks', async () => {
    const { idToken } = await tokensFor('alice');
    const [header, , signature] = idToken.split('.');
    const foreignIssuer = Buffer.from(JSON.stringify({ ...decodeJwt(idToken), iss: 'https://elsewhere.example' })).toString('base64url');
    expect(await whoami(`${header}.${foreignIssuer}.${signature}`)).toEqual({ status: 401, body: { code: 'not-recognized' } });
    expect(await whoami('static-api-key-0123456789')).toEqual({ status: 401, body: { code: 'not-recognized' } });
  });

  it('follows a signing-key rotation at the provider', async () => {
    const before = await tokensFor('alice');
    const oldKeyId = decodeProtectedHeader(before.idToken).kid;
    expect((await whoami(before.idToken)).status).toBe(200);

    setup.idp.rotateKeys();
    const after = await tokensFor('alice');
    const newKeyId = decodeProtectedHeader(after.idToken).kid;
    expect(newKeyId).not.toBe(oldKeyId);
    expect(setup.idp.publishedKeyIds()).toEqual([newKeyId]);

    // The new key is fetched when a token names it...
    expect(await whoami(after.idToken)).toMatchObject({ status: 200, body: { user: 'test-idp:alice' } });
    // ...and a token signed with the withdrawn key is refused.
    const withdrawn = await whoami(before.idToken);
    expect(withdrawn.status).toBe(401);
    expect(String(withdrawn.body['message'])).toContain('it is signed with a key the provider does not publish');
  });
});

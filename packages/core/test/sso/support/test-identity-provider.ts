/**
 * @fileoverview A real OpenID Connect provider for tests: `oidc-provider` on 127.0.0.1 (port
 * 0), with its development sign-in and consent forms, test users, and signing keys that can
 * be rotated while it runs.
 *
 * ```ts
 * const idp = await startTestIdentityProvider({ clients: [{ clientId: 'llm-proxy', clientSecret: 's', redirectUris: [...] }] });
 * idp.issuer;        // http://127.0.0.1:<port>
 * await idp.rotateKeys();   // new signing key; the old one is no longer published
 * await idp.close();
 * ```
 *
 * Users are the entries of {@link TEST_USERS}; the sign-in form accepts any password.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type ProviderClass from 'oidc-provider';

export interface TestUser {
  email: string;
  emailVerified: boolean;
  name: string;
  groups: string[];
}

/** Sign in with the key (the "login" field of the form). */
export const TEST_USERS: Readonly<Record<string, TestUser>> = {
  alice: { email: 'alice@example.com', emailVerified: true, name: 'Alice Example', groups: ['engineering'] },
  bob: { email: 'bob@other.org', emailVerified: true, name: 'Bob Other', groups: ['sales'] },
  carol: { email: 'carol@other.org', emailVerified: true, name: 'Carol Other', groups: ['llm-users'] },
  mallory: { email: 'mallory@example.com', emailVerified: false, name: 'Mallory Unverified', groups: [] },
};

export interface TestClient {
  clientId: string;
  /** Omit for a public client (PKCE only). */
  clientSecret?: string;
  redirectUris: string[];
}

/** The resource whose access tokens are JWTs (request it with `resource=`). */
export const JWT_ACCESS_TOKEN_RESOURCE = 'urn:llmproxy:api';

export interface TestIdentityProvider {
  issuer: string;
  /** Replaces the signing key: tokens issued from now on carry a new `kid`, and the old key is no longer published. */
  rotateKeys(): void;
  /** Key ids currently published. */
  publishedKeyIds(): string[];
  close(): Promise<void>;
}

export async function startTestIdentityProvider(options: { clients: TestClient[] }): Promise<TestIdentityProvider> {
  let handler: ((request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse) => void) | undefined;
  const server: Server = createServer((request, response) => {
    if (handler === undefined) {
      response.statusCode = 503;
      response.end();
      return;
    }
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const cookieKeys = [randomBytes(32).toString('base64url')];

  const Provider = await quietly(async () => (await import('oidc-provider')).default);
  let signingKey = newSigningKey();
  const build = (): void => {
    const provider: ProviderClass = quietlySync(() => new Provider(issuer, configuration(options.clients, signingKey, cookieKeys)));
    handler = provider.callback();
  };
  build();

  return {
    issuer,
    rotateKeys() {
      signingKey = newSigningKey();
      build();
    },
    publishedKeyIds: () => [String(signingKey['kid'])],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * oidc-provider warns on the console about its development-only parts (in-memory storage,
 * built-in sign-in forms) and Node 20; those are exactly what a test provider uses.
 */
function isProviderNotice(values: unknown[]): boolean {
  return typeof values[0] === 'string' && values[0].startsWith('oidc-provider ');
}

async function quietly<T>(run: () => Promise<T>): Promise<T> {
  const { warn, info } = console;
  console.warn = (...values: unknown[]) => (isProviderNotice(values) ? undefined : warn(...values));
  console.info = (...values: unknown[]) => (isProviderNotice(values) ? undefined : info(...values));
  try {
    return await run();
  } finally {
    console.warn = warn;
    console.info = info;
  }
}

function quietlySync<T>(run: () => T): T {
  const { warn, info } = console;
  console.warn = (...values: unknown[]) => (isProviderNotice(values) ? undefined : warn(...values));
  console.info = (...values: unknown[]) => (isProviderNotice(values) ? undefined : info(...values));
  try {
    return run();
  } finally {
    console.warn = warn;
    console.info = info;
  }
}

function newSigningKey(): Record<string, unknown> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: `test-key-${randomBytes(6).toString('hex')}`, use: 'sig', alg: 'RS256' };
}

function accountClaims(accountId: string): Record<string, unknown> | undefined {
  const user = TEST_USERS[accountId];
  if (user === undefined) return undefined;
  return { sub: accountId, email: user.email, email_verified: user.emailVerified, name: user.name, groups: user.groups };
}

function configuration(clients: TestClient[], signingKey: Record<string, unknown>, cookieKeys: string[]): Record<string, unknown> {
  return {
    clients: clients.map((client) => ({
      client_id: client.clientId,
      ...(client.clientSecret === undefined ? { token_endpoint_auth_method: 'none' } : { client_secret: client.clientSecret }),
      redirect_uris: client.redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
    })),
    jwks: { keys: [signingKey] },
    cookies: { keys: cookieKeys },
    // Claims requested by scope go into the ID token too, as Google and Keycloak do.
    conformIdTokenClaims: false,
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    async findAccount(_context: unknown, accountId: string) {
      const claims = accountClaims(accountId);
      if (claims === undefined) return undefined;
      return { accountId, claims: () => claims };
    },
    features: {
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_context: unknown, _client: unknown, oneOf?: string) => oneOf,
        useGrantedResource: () => true,
        getResourceServerInfo: (_context: unknown, resource: string) => {
          if (resource !== JWT_ACCESS_TOKEN_RESOURCE) throw new Error(`unknown resource ${resource}`);
          return { scope: 'openid email profile groups', audience: JWT_ACCESS_TOKEN_RESOURCE, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
        },
      },
    },
    // JWT access tokens carry the claims the proxy's allowed-user rules look at.
    async extraTokenClaims(_context: unknown, token: { accountId?: string }) {
      return token.accountId === undefined ? undefined : accountClaims(token.accountId);
    },
    pkce: { required: () => true },
    ttl: { AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, Interaction: 600, Session: 3600, Grant: 3600 },
    renderError(context: { type: string; body: string }, output: Record<string, unknown>) {
      context.type = 'html';
      context.body = `<!doctype html><title>oops</title><pre>${JSON.stringify(output).replace(/</g, '&lt;')}</pre>`;
    },
  };
}

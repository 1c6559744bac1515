/**
 * @fileoverview The one part of the settings that is not a plain value: `sso.providers`, a
 * mapping of OpenID Connect providers by id. Its schema fragment is the `sso.providers` row's
 * YAML leaf, and `ssoProviderFromYaml` turns one validated entry into its settings.
 */
import { Type, type Static } from '@sinclair/typebox';
import { LlmProxyError } from '@llmproxy/connector-sdk';

import type { SsoProviderSettings } from './proxy-settings.js';

const closed = { additionalProperties: false } as const;

/** An SSO provider id: used in URLs and user ids, so lower-case letters, digits, `-` and `_`. */
export const SSO_PROVIDER_ID_PATTERN = '^[a-z0-9][a-z0-9_-]{0,62}$';
export const SSO_PROVIDER_ID_ALLOWED =
  'a mapping of provider ids (lower-case letters, digits, "-" and "_", e.g. keycloak) to provider settings';
/** An environment variable name. */
const ENVIRONMENT_VARIABLE_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';

const stringList = (item: ReturnType<typeof Type.String>, description: string) =>
  Type.Optional(Type.Array(item, { description }));

export const ssoProviderSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, description: 'a display name for the sign-in page' })),
    issuer: Type.Optional(
      Type.String({ pattern: '^https?://\\S+$', description: 'the issuer URL, e.g. https://keycloak.example.com/realms/acme' }),
    ),
    client_id: Type.Optional(Type.String({ minLength: 1, description: 'the client id registered at the provider' })),
    client_secret: Type.Optional(
      Type.Unsafe<never>({
        not: {},
        description:
          'nothing: client secrets are never written into the file. Name an environment variable with client_secret_env ' +
          'or a file with client_secret_file',
      }),
    ),
    client_secret_env: Type.Optional(
      Type.String({ pattern: ENVIRONMENT_VARIABLE_PATTERN, description: 'the name of an environment variable holding the client secret' }),
    ),
    client_secret_file: Type.Optional(
      Type.String({ minLength: 1, description: 'the path of a file holding the client secret (relative paths start at the working directory)' }),
    ),
    scopes: stringList(Type.String({ pattern: '^\\S+$', description: 'a scope without spaces' }), 'a list of scopes, e.g. [openid, email, profile]'),
    audiences: stringList(
      Type.String({ minLength: 1, description: 'an audience value' }),
      'a list of audiences accepted in bearer tokens (default: the client id)',
    ),
    allowed_users: Type.Optional(
      Type.Object(
        {
          email_domains: stringList(
            Type.String({ pattern: '^[^@\\s]+\\.[^@\\s]+$', description: 'a domain such as example.com' }),
            'a list of email domains',
          ),
          emails: stringList(Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$', description: 'an email address' }), 'a list of email addresses'),
          groups: stringList(Type.String({ minLength: 1, description: 'a group name' }), 'a list of group names'),
          groups_claim: Type.Optional(Type.String({ minLength: 1, description: 'the claim holding the groups (default groups)' })),
          require_verified_email: Type.Optional(Type.Boolean({ description: 'true (default) or false' })),
          any_user: Type.Optional(Type.Boolean({ description: 'true to allow every account of the provider, or false' })),
        },
        closed,
      ),
    ),
  },
  { ...closed, description: 'a mapping with the settings of one OpenID Connect provider' },
);

type SsoProviderYaml = Static<typeof ssoProviderSchema>;

const DEFAULT_SSO_SCOPES: readonly string[] = ['openid', 'email', 'profile'];

export function ssoProviderFromYaml(id: string, provider: SsoProviderYaml, filepath: string): SsoProviderSettings {
  if (provider.client_secret_env !== undefined && provider.client_secret_file !== undefined) {
    throw new LlmProxyError({
      code: 'CONFIG_INVALID',
      message: `Invalid configuration in ${filepath}: sso.providers.${id} sets both client_secret_env and client_secret_file`,
      currentValue: `client_secret_env ${provider.client_secret_env}, client_secret_file ${provider.client_secret_file}`,
      fix: 'Keep one of them: the client secret comes from exactly one place',
      details: { key: `sso.providers.${id}`, file: filepath },
    });
  }
  const clientId = provider.client_id ?? '';
  const allowed = provider.allowed_users ?? {};
  return {
    id,
    displayName: provider.name ?? id,
    issuer: provider.issuer ?? '',
    clientId,
    clientSecret:
      provider.client_secret_env !== undefined
        ? { kind: 'env', variable: provider.client_secret_env }
        : provider.client_secret_file !== undefined
          ? { kind: 'file', path: provider.client_secret_file }
          : undefined,
    // `openid` is what makes it OpenID Connect; it is added when a list leaves it out.
    scopes: provider.scopes === undefined ? DEFAULT_SSO_SCOPES : ['openid', ...provider.scopes.filter((scope) => scope !== 'openid')],
    audiences: provider.audiences ?? (clientId === '' ? [] : [clientId]),
    allowedUsers: {
      emailDomains: (allowed.email_domains ?? []).map((domain) => domain.toLowerCase().replace(/^@/, '')),
      emails: (allowed.emails ?? []).map((email) => email.toLowerCase()),
      groups: allowed.groups ?? [],
      groupsClaim: allowed.groups_claim ?? 'groups',
      requireVerifiedEmail: allowed.require_verified_email ?? true,
      anyUser: allowed.any_user ?? false,
    },
  };
}

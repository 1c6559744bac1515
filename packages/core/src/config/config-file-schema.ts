/**
 * @fileoverview The shape of the YAML configuration file, declared once with TypeBox so the
 * JSON Schema that ajv validates and the TypeScript type the resolver reads cannot drift apart.
 *
 * Every object is closed (`additionalProperties: false`) so a misspelt key is an error rather
 * than a silently ignored setting. The one exception is each `backends.<name>` entry: its keys
 * belong to the connector that serves it, which validates its own slice.
 *
 * Each leaf carries a `description` written as "what is allowed": the error formatter quotes it.
 */
import { Type, type Static } from '@sinclair/typebox';

import { LOG_LEVELS } from './setting-parsers.js';

const closed = { additionalProperties: false } as const;

/** Host names and addresses as accepted by Node's `server.listen` (no brackets, no spaces). */
export const HOST_PATTERN = '^[^\\s\\[\\]/]+$';
/** A backend name, optionally followed by `:model`. */
export const DEFAULT_BACKEND_PATTERN = '^[^:\\s]+(:\\S+)?$';
/** An API key: any non-empty text without whitespace or commas (commas separate keys on the command line). */
export const API_KEY_PATTERN = '^[^\\s,]+$';
/** A browser origin: scheme, host and optional port, without a path. */
export const ORIGIN_PATTERN = '^https?://[^/\\s]+$';
/** A size such as `10mb`, `512kb` or `1048576`. */
export const BYTE_SIZE_PATTERN = '^\\s*\\d+\\s*([kKmMgG]?[bB])?\\s*$';
/** A backend name: used as the `backend:` prefix of model names, so it cannot contain `:`. */
export const BACKEND_NAME_PATTERN = '^[^:\\s]+$';

/** What is allowed, in words; shared with the settings table so YAML and flag errors agree. */
export const HOST_ALLOWED = 'a host name or IP address such as 127.0.0.1 or 0.0.0.0';
export const PORT_ALLOWED = 'an integer from 0 to 65535 (0 picks a free port)';
export const DEFAULT_BACKEND_ALLOWED = 'a backend name or backend:model, e.g. openai or openai:gpt-4o';
export const LOG_LEVEL_ALLOWED = `one of ${LOG_LEVELS.join(', ')}`;
export const BODY_LIMIT_ALLOWED = 'a size such as 10mb, 512kb or a number of bytes';

/** An SSO provider id: used in URLs and user ids, so lower-case letters, digits, `-` and `_`. */
export const SSO_PROVIDER_ID_PATTERN = '^[a-z0-9][a-z0-9_-]{0,62}$';
export const SSO_PROVIDER_ID_ALLOWED =
  'a mapping of provider ids (lower-case letters, digits, "-" and "_", e.g. keycloak) to provider settings';
/** The address users reach the proxy at: http(s), host, optional port and path, no query. */
export const PUBLIC_URL_PATTERN = '^https?://[^\\s/?#]+(/[^\\s?#]*)?$';
export const PUBLIC_URL_ALLOWED = 'an http(s) URL such as https://llm.example.com (no query string)';
export const MAXIMUM_TOKEN_LIFETIME_DAYS = 3650;
export const TOKEN_LIFETIME_ALLOWED = `a whole number of days from 1 to ${MAXIMUM_TOKEN_LIFETIME_DAYS}`;
/** An environment variable name. */
export const ENVIRONMENT_VARIABLE_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';

const stringList = (item: ReturnType<typeof Type.String>, description: string) =>
  Type.Optional(Type.Array(item, { description }));

const ssoProviderSchema = Type.Object(
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

const backendSchema = Type.Object(
  {
    type: Type.Optional(
      Type.String({ minLength: 1, description: 'a connector id such as openai or openai-compatible' }),
    ),
  },
  { additionalProperties: true, description: 'a mapping with the connector settings of this backend' },
);

export const configFileSchema = Type.Object(
  {
    host: Type.Optional(
      Type.String({ pattern: HOST_PATTERN, description: HOST_ALLOWED }),
    ),
    port: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 65535, description: PORT_ALLOWED }),
    ),
    default_backend: Type.Optional(
      Type.String({ pattern: DEFAULT_BACKEND_PATTERN, description: DEFAULT_BACKEND_ALLOWED }),
    ),
    logging: Type.Optional(
      Type.Object(
        {
          level: Type.Optional(
            Type.Unsafe<(typeof LOG_LEVELS)[number]>({
              type: 'string',
              enum: [...LOG_LEVELS],
              description: LOG_LEVEL_ALLOWED,
            }),
          ),
          file: Type.Optional(Type.String({ minLength: 1, description: 'a file path (relative paths start at the working directory)' })),
        },
        closed,
      ),
    ),
    access_mode: Type.Optional(
      Type.Object(
        {
          mode: Type.Optional(
            Type.Unsafe<'single_user' | 'multi_user'>({
              type: 'string',
              enum: ['single_user', 'multi_user'],
              description: 'single_user or multi_user',
            }),
          ),
        },
        closed,
      ),
    ),
    auth: Type.Optional(
      Type.Object(
        {
          disable_auth: Type.Optional(Type.Boolean({ description: 'true or false' })),
          api_keys: Type.Optional(
            Type.Array(
              Type.String({ pattern: API_KEY_PATTERN, description: 'a non-empty key without spaces or commas' }),
              { description: 'a list of API keys' },
            ),
          ),
        },
        closed,
      ),
    ),
    sso: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean({ description: 'true or false' })),
          public_url: Type.Optional(Type.String({ pattern: PUBLIC_URL_PATTERN, description: PUBLIC_URL_ALLOWED })),
          token_lifetime_days: Type.Optional(
            Type.Integer({ minimum: 1, maximum: MAXIMUM_TOKEN_LIFETIME_DAYS, description: TOKEN_LIFETIME_ALLOWED }),
          ),
          database_file: Type.Optional(Type.String({ minLength: 1, description: 'a file path (relative paths start at the working directory)' })),
          providers: Type.Optional(
            Type.Record(Type.String(), ssoProviderSchema, {
              propertyNames: { type: 'string', pattern: SSO_PROVIDER_ID_PATTERN },
              description: SSO_PROVIDER_ID_ALLOWED,
            }),
          ),
        },
        closed,
      ),
    ),
    notifications: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(
            Type.Unsafe<boolean | null>({
              type: ['boolean', 'null'],
              description: 'true, false, or null (automatic: on when the host is 127.0.0.1, localhost or ::1)',
            }),
          ),
        },
        closed,
      ),
    ),
    server: Type.Optional(
      Type.Object(
        {
          body_limit: Type.Optional(
            Type.Unsafe<string | number>({
              type: ['string', 'integer'],
              pattern: BYTE_SIZE_PATTERN,
              minimum: 1,
              description: BODY_LIMIT_ALLOWED,
            }),
          ),
          upstream_timeout_ms: Type.Optional(
            Type.Integer({ minimum: 1, description: 'a whole number of milliseconds, at least 1' }),
          ),
          drain_timeout_ms: Type.Optional(
            Type.Integer({ minimum: 0, description: 'a whole number of milliseconds, 0 or more' }),
          ),
          allowed_origins: Type.Optional(
            Type.Array(
              Type.String({ pattern: ORIGIN_PATTERN, description: 'an origin such as http://localhost:3000' }),
              { description: 'a list of origins' },
            ),
          ),
        },
        closed,
      ),
    ),
    // A list of package names, or a mapping that also holds the lock setting. One schema with
    // `items` (arrays only) and `properties` (objects only) rather than a union, so an error
    // names the offending key instead of both alternatives.
    plugins: Type.Optional(
      Type.Unsafe<string[] | { packages?: string[]; require_lock?: boolean }>({
        type: ['array', 'object'],
        items: Type.String({ minLength: 1, description: 'an npm package name' }),
        properties: {
          packages: Type.Array(Type.String({ minLength: 1, description: 'an npm package name' }), {
            description: 'a list of connector package names',
          }),
          require_lock: Type.Boolean({
            description: 'true (third-party connector packages need llm-proxy.connectors.lock) or false',
          }),
        },
        additionalProperties: false,
        description: 'a list of connector package names, or a mapping with packages and require_lock',
      }),
    ),
    backends: Type.Optional(
      Type.Record(Type.String(), backendSchema, {
        propertyNames: { type: 'string', pattern: BACKEND_NAME_PATTERN },
        description: 'a mapping of backend names (without ":" or spaces) to backend settings',
      }),
    ),
  },
  { ...closed, description: 'a mapping of settings' },
);

/** The parsed and validated YAML configuration file. */
export type ConfigFile = Static<typeof configFileSchema>;

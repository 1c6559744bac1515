// @ts-check
/**
 * ESLint over every package's sources and tests. Besides the usual TypeScript checks it
 * enforces the boundaries described in docs/architecture.md: which of core's folders may import
 * which, that connector packages import only the SDK, and that each third-party library core
 * wraps is touched by its one module. A broken boundary fails `npm test`.
 */
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Core's folders, lowest first, each with the core folders it may import. Anything not listed
 * is above it. docs/architecture.md draws the same picture; change both together.
 */
const CORE_FOLDER_IMPORTS = {
  canonical: [],
  config: [],
  logging: ['config'],
  notifications: ['config', 'logging'],
  upstream: ['config', 'logging'],
  observability: ['config', 'logging', 'upstream'],
  protocols: ['canonical'],
  connectors: ['canonical', 'protocols'],
  frontends: ['canonical', 'protocols'],
  sso: ['config', 'logging', 'storage'],
  storage: [],
  callers: ['canonical', 'config', 'logging', 'storage'],
  'access-mode': ['config', 'sso'],
  plugins: ['access-mode', 'canonical', 'config', 'connectors', 'logging', 'notifications', 'protocols', 'upstream'],
  server: ['access-mode', 'callers', 'canonical', 'config', 'frontends', 'logging', 'notifications', 'observability', 'plugins', 'protocols', 'sso', 'storage', 'upstream'],
  cli: ['access-mode', 'callers', 'canonical', 'config', 'connectors', 'logging', 'notifications', 'observability', 'plugins', 'server', 'sso', 'storage', 'upstream'],
};

/** Libraries that make outbound HTTP requests; in core only upstream/ may (sso/ through openid-client and jose). */
const OUTBOUND_HTTP = [
  { name: 'node:http', importNames: ['request', 'get', 'Agent'], message: 'Outbound HTTP goes through the UpstreamHttpClient (core: upstream/; connectors: context.http).' },
  { name: 'http', message: 'Import node:http, and make outbound requests through the UpstreamHttpClient.' },
  { name: 'node:https', message: 'Outbound HTTP goes through the UpstreamHttpClient (core: upstream/; connectors: context.http).' },
  { name: 'https', message: 'Outbound HTTP goes through the UpstreamHttpClient (core: upstream/; connectors: context.http).' },
  { name: 'undici', message: 'Outbound HTTP goes through the UpstreamHttpClient.' },
  { name: 'got', message: 'got was replaced by the node:http UpstreamHttpClient (see docs/architecture.md).' },
  { name: 'axios', message: 'Outbound HTTP goes through the UpstreamHttpClient.' },
];
const OIDC_CLIENTS = ['openid-client', 'jose'].map((name) => ({ name, message: 'Only sso/ talks to identity providers.' }));
const WINSTON = { name: 'winston', message: 'Log through the AppLogger; only logging/ imports winston.' };
const NODE_NOTIFIER = { name: 'node-notifier', message: 'Notify through the DesktopNotifier; only notifications/ imports node-notifier.' };
/** Metrics and tracing libraries: only observability/ imports them (the SDK by a dynamic import only). */
const OBSERVABILITY_LIBRARIES = {
  group: ['prom-client', '@opentelemetry/*'],
  message: 'Only core/src/observability imports prom-client and OpenTelemetry (see docs/observability.md).',
};
const NO_FETCH = { name: 'fetch', message: 'Outbound HTTP goes through the UpstreamHttpClient (core: upstream/; connectors: context.http).' };

/** A relative import into one of core's folders, however deep the importer sits. */
function intoCoreFolder(folder) {
  return [`../${folder}`, `../${folder}/**`, `../../${folder}`, `../../${folder}/**`, `../../../${folder}/**`];
}

function coreFolderRules(folder, allowed) {
  const forbidden = Object.keys(CORE_FOLDER_IMPORTS).filter((other) => other !== folder && !allowed.includes(other));
  const paths = [
    ...(folder === 'upstream' ? [] : OUTBOUND_HTTP),
    ...(folder === 'sso' ? [] : OIDC_CLIENTS),
    ...(folder === 'logging' ? [] : [WINSTON]),
    ...(folder === 'notifications' ? [] : [NODE_NOTIFIER]),
  ];
  const patterns = [
    ...(forbidden.length === 0
      ? []
      : [{ group: forbidden.flatMap(intoCoreFolder), message: `core/src/${folder} may import only ${allowed.length === 0 ? 'no other core folder' : allowed.join(', ')} (docs/architecture.md).` }]),
    { group: ['@llmproxy/oauth-connectors', '@llmproxy/oauth-connectors/*'], message: 'Core never imports a connector package; the plugin loader imports declared exports at run time.' },
    ...(folder === 'observability' ? [] : [OBSERVABILITY_LIBRARIES]),
  ];
  return {
    files: [`packages/core/src/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', { paths, patterns }],
      'no-restricted-globals': ['error', ...(folder === 'upstream' ? [] : [NO_FETCH])],
    },
  };
}

/** Connector packages see core only through the SDK's contract. */
const CONNECTOR_PACKAGE_PATHS = [...OUTBOUND_HTTP, WINSTON, NODE_NOTIFIER];
const THROUGH_THE_SDK_ONLY = {
  group: ['@llmproxy/core', '@llmproxy/core/*', '**/core/src/**', '**/core/dist/**'],
  message: 'Connectors import only @llmproxy/connector-sdk; core lends what they need through the connector context.',
};

/**
 * oauth-connectors' connector folders, each with the other connector folders it may import.
 * Shared machinery lives in account-pool/, credentials/, configuration/ (and accounts/, which
 * drives every connector's login); the three Gemini connectors share gemini-code-assist/.
 */
const OAUTH_CONNECTOR_FOLDER_IMPORTS = {
  'gemini-code-assist': [],
  'gemini-oauth-auto': ['gemini-code-assist'],
  'gemini-oauth-free': ['gemini-code-assist'],
  'gemini-oauth-plan': ['gemini-code-assist'],
  'qwen-oauth': [],
  'openai-codex': [],
  'kiro-oauth-auto': [],
};

function connectorPackageRules(files, forbiddenFolders, allowed) {
  const patterns = [THROUGH_THE_SDK_ONLY];
  if (forbiddenFolders.length > 0) {
    patterns.push({
      group: forbiddenFolders.flatMap((folder) => [`../${folder}`, `../${folder}/**`]),
      message: `A connector folder imports no other connector's folder${allowed.length === 0 ? '' : ` (this one may use ${allowed.join(', ')})`}; shared code goes to account-pool/, credentials/ or configuration/.`,
    });
  }
  return {
    files,
    rules: {
      'no-restricted-imports': ['error', { paths: CONNECTOR_PACKAGE_PATHS, patterns }],
      'no-restricted-globals': ['error', NO_FETCH],
    },
  };
}

const connectorFolders = Object.keys(OAUTH_CONNECTOR_FOLDER_IMPORTS);
const connectorPackagesRules = [
  connectorPackageRules(['packages/oauth-connectors/src/**/*.ts', 'examples/*/src/**/*.ts'], [], []),
  ...Object.entries(OAUTH_CONNECTOR_FOLDER_IMPORTS).map(([folder, allowed]) =>
    connectorPackageRules(
      [`packages/oauth-connectors/src/${folder}/**/*.ts`],
      connectorFolders.filter((other) => other !== folder && !allowed.includes(other)),
      allowed,
    ),
  ),
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', 'var/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      // TypeScript checks names itself, with the right globals per package.
      'no-undef': 'off',
      // `const { secret: _secret, ...rest } = value` leaves a field out on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // Tests walk answers of many shapes (SDK results, wire JSON) where typing each path costs
    // more than it checks; the sources stay free of `any`.
    files: ['**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly', performance: 'readonly', setImmediate: 'readonly', AbortController: 'readonly', fetch: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly', structuredClone: 'readonly', setInterval: 'readonly', clearInterval: 'readonly' } },
  },
  {
    files: ['packages/*/src/**/*.ts', 'examples/*/src/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A switch over a union names every member, or has a default (which, over event and
      // chunk types, is a `never` check so a new member is a compile error).
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
    },
  },
  ...Object.entries(CORE_FOLDER_IMPORTS).map(([folder, allowed]) => coreFolderRules(folder, allowed)),
  ...connectorPackagesRules,
);

/**
 * @fileoverview Which npm package names are connector packages. Core looks for these among a
 * project's dependencies and beside itself; plugin authors name their packages to match.
 * Packages with other names are found only when the operator's config names them.
 */

/** The package of personal-login (OAuth) connectors. */
export const OAUTH_CONNECTORS_PACKAGE = '@llmproxy/oauth-connectors';

/** The contract package: its name matches `@llmproxy/connector-*` but it holds no connectors. */
const CONNECTOR_SDK_PACKAGE = '@llmproxy/connector-sdk';

/** The naming patterns, as written in the docs and in error messages. */
export const CONNECTOR_PACKAGE_NAME_PATTERNS: readonly string[] = Object.freeze([
  OAUTH_CONNECTORS_PACKAGE,
  '@llmproxy/connector-*',
  'llmproxy-connector-*',
  '@<scope>/llmproxy-connector-*',
]);

const NAME_EXPRESSIONS: readonly RegExp[] = [
  /^@llmproxy\/connector-[a-z0-9][a-z0-9._-]*$/,
  /^llmproxy-connector-[a-z0-9][a-z0-9._-]*$/,
  /^@[a-z0-9][a-z0-9._-]*\/llmproxy-connector-[a-z0-9][a-z0-9._-]*$/,
];

/** True when a package name matches one of {@link CONNECTOR_PACKAGE_NAME_PATTERNS}. */
export function isConnectorPackageName(packageName: string): boolean {
  if (packageName === OAUTH_CONNECTORS_PACKAGE) return true;
  if (packageName === CONNECTOR_SDK_PACKAGE) return false;
  return NAME_EXPRESSIONS.some((expression) => expression.test(packageName));
}

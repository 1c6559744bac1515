/**
 * @fileoverview Which npm package names core treats as connector packages when it looks at the
 * project's dependencies and at the packages installed beside core. Packages with other names
 * are found only when `plugins:` in the config names them.
 */
import { OAUTH_CONNECTORS_PACKAGE } from '../config/oauth-connector-ids.js';

/** The contract package: its name matches `@llmproxy/connector-*` but it holds no connectors. */
const CONNECTOR_SDK_PACKAGE_NAME = '@llmproxy/connector-sdk';

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
  if (packageName === CONNECTOR_SDK_PACKAGE_NAME) return false;
  return NAME_EXPRESSIONS.some((expression) => expression.test(packageName));
}

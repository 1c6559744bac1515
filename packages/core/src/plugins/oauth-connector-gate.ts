/**
 * @fileoverview The access-mode gate. In Multi User Mode, connectors that act with personal
 * (OAuth) credentials are removed from the manifest data before anything is imported, so their
 * code never runs in a shared deployment. The decision uses the manifest alone.
 */
import {
  KNOWN_OAUTH_CONNECTORS,
  hasOAuthConnectorName,
} from '../config/oauth-connector-ids.js';
import type { PluginProblem } from './plugin-report.js';

/** The error code of a connector or backend refused by the gate. */
export const OAUTH_CONNECTOR_NOT_ALLOWED = 'OAUTH_CONNECTOR_NOT_ALLOWED';

/**
 * True for a connector that Multi User Mode must not load: its manifest says it has no static
 * credentials, its id looks like an OAuth connector (`-oauth-`, `-oauth`), or it is one of the
 * known OAuth connector ids. The last rule keeps a package that mislabels e.g. `openai-codex`
 * from slipping through.
 */
export function isOAuthConnector(connector: { id: string; hasStaticCredentials: boolean }): boolean {
  return !connector.hasStaticCredentials || isOAuthConnectorId(connector.id);
}

/** True when an id alone marks a connector as OAuth (by name or by being a known OAuth id). */
export function isOAuthConnectorId(connectorId: string): boolean {
  return hasOAuthConnectorName(connectorId) || Object.hasOwn(KNOWN_OAUTH_CONNECTORS, connectorId);
}

/** The static-credential backend to use instead of an OAuth connector, as advice (no final period). */
export function staticCredentialAlternative(connectorId: string): string {
  const known = KNOWN_OAUTH_CONNECTORS[connectorId];
  if (known !== undefined) return `Use ${known.alternative} with ${known.alternativeCredential} instead`;
  return 'Use a connector that authenticates with static credentials (an API key) instead';
}

/** The line logged at info when the gate removed connectors. */
export function skippedOAuthConnectorsMessage(connectorIds: readonly string[]): string {
  return `Skipped OAuth connectors in Multi User Mode (OAuth not allowed in production): ${connectorIds.join(', ')}`;
}

/** The line logged at debug in Single User Mode when OAuth connectors loaded. */
export function loadedOAuthConnectorsMessage(connectorIds: readonly string[]): string {
  return `Loaded OAuth connectors: ${connectorIds.join(', ')}`;
}

/** Why a connector was gated, for the plugin report. */
export function oauthConnectorGatedProblem(connectorId: string, packageName: string): PluginProblem {
  return {
    code: OAUTH_CONNECTOR_NOT_ALLOWED,
    message: `Connector "${connectorId}" (package ${packageName}) uses personal OAuth credentials and is not available in Multi User Mode (OAuth not allowed in production); its code was not loaded.`,
    fix: `${staticCredentialAlternative(connectorId)}, or run in Single User Mode on 127.0.0.1 for personal use.`,
  };
}

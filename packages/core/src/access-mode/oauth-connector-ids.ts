/**
 * @fileoverview What core knows about personal-credential (OAuth) connectors without importing
 * them: their ids, the package that provides them, and the static-credential backend to use
 * instead in Multi User Mode (the spec's migration table).
 */

/** The package that provides the known OAuth connectors (its name is part of the SDK's naming rules). */
export { OAUTH_CONNECTORS_PACKAGE } from '@llmproxy/connector-sdk';

/** Known OAuth connector ids, each with its static-credential alternative. */
export const KNOWN_OAUTH_CONNECTORS: Readonly<Record<string, { alternative: string; alternativeCredential: string }>> =
  Object.freeze({
    'gemini-oauth-auto': { alternative: 'gemini', alternativeCredential: 'GEMINI_API_KEY' },
    'gemini-oauth-free': { alternative: 'gemini', alternativeCredential: 'GEMINI_API_KEY' },
    'gemini-oauth-plan': { alternative: 'gemini', alternativeCredential: 'GEMINI_API_KEY' },
    'qwen-oauth': { alternative: 'qwen', alternativeCredential: 'DASHSCOPE_API_KEY' },
    'openai-codex': { alternative: 'openai', alternativeCredential: 'OPENAI_API_KEY' },
    'kiro-oauth-auto': { alternative: 'anthropic', alternativeCredential: 'ANTHROPIC_API_KEY' },
  });

/** True when an id looks like an OAuth connector by name: contains `-oauth-` or ends with `-oauth`. */
export function hasOAuthConnectorName(connectorId: string): boolean {
  return connectorId.includes('-oauth-') || connectorId.endsWith('-oauth');
}

/** The CLI flag that opts in to (and debugs) one OAuth connector. */
export function debuggingOverrideFlag(connectorId: string): string {
  return `--enable-${connectorId}-backend-debugging-override`;
}

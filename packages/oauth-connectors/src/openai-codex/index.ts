/**
 * @fileoverview `openai-codex`: a ChatGPT plan through the ChatGPT backend's Codex Responses
 * endpoint, with the Codex CLI's login (`~/.codex/auth.json`) and a managed pool of further
 * logins. See create-openai-codex-connector.ts for the behaviour and resolve-codex-settings.ts
 * for the settings.
 */
import { defineConnector } from '@llmproxy/connector-sdk';
import { CODEX_OPT_IN_NOTICE } from './codex-opt-in-notice.js';
import { createOpenAICodexConnector } from './create-openai-codex-connector.js';

export default defineConnector({
  id: 'openai-codex',
  hasStaticCredentials: false,
  optInNotice: CODEX_OPT_IN_NOTICE,
  create: (context) => createOpenAICodexConnector(context),
});

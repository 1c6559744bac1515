/**
 * @fileoverview `gemini-oauth-auto`: Gemini Code Assist over a pool of Google logins in
 * `var/gemini_oauth_accounts/`, rotating to the next account on quota errors before anything
 * reached the client. See create-gemini-account-pool-connector.ts for the settings.
 */
import { defineConnector } from '@llmproxy/connector-sdk';
import { GEMINI_OPT_IN_NOTICE } from '../gemini-code-assist/gemini-opt-in-notice.js';
import { createGeminiAccountPoolConnector } from './create-gemini-account-pool-connector.js';

export default defineConnector({
  id: 'gemini-oauth-auto',
  hasStaticCredentials: false,
  optInNotice: GEMINI_OPT_IN_NOTICE,
  create: (context) => createGeminiAccountPoolConnector(context),
});

/**
 * @fileoverview `gemini-oauth-plan`: Gemini Code Assist Standard/Enterprise with the Gemini CLI's
 * Google login and the user's own Google Cloud project (`GOOGLE_CLOUD_PROJECT`,
 * `GOOGLE_CLOUD_PROJECT_ID` or `backends.<name>.project`).
 */
import { defineConnector } from '@llmproxy/connector-sdk';
import { createGeminiCliLoginConnector } from '../gemini-code-assist/create-gemini-cli-login-connector.js';
import { GEMINI_OPT_IN_NOTICE } from '../gemini-code-assist/gemini-opt-in-notice.js';

export default defineConnector({
  id: 'gemini-oauth-plan',
  hasStaticCredentials: false,
  optInNotice: GEMINI_OPT_IN_NOTICE,
  create: (context) => createGeminiCliLoginConnector(context, 'plan'),
});

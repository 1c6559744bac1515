/**
 * @fileoverview `gemini-oauth-free`: Gemini Code Assist with the Gemini CLI's Google login and
 * the consumer tier's Google-managed project. Google retired consumer Code Assist on 2026-06-18;
 * accounts without a paid licence now get Google's ineligibility reason.
 */
import { defineConnector } from '@llmproxy/connector-sdk';
import { createGeminiCliLoginConnector } from '../gemini-code-assist/create-gemini-cli-login-connector.js';
import { GEMINI_OPT_IN_NOTICE } from '../gemini-code-assist/gemini-opt-in-notice.js';

export default defineConnector({
  id: 'gemini-oauth-free',
  hasStaticCredentials: false,
  optInNotice: GEMINI_OPT_IN_NOTICE,
  create: (context) => createGeminiCliLoginConnector(context, 'free'),
});

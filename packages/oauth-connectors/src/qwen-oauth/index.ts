/**
 * @fileoverview `qwen-oauth`: Qwen through Qwen Code's login. Qwen discontinued the OAuth free
 * tier on 2026-04-15; the static-credential alternative is the built-in `qwen` backend with
 * DASHSCOPE_API_KEY.
 */
import { defineConnector } from '@llmproxy/connector-sdk';
import { createQwenOAuthConnector } from './create-qwen-oauth-connector.js';
import { QWEN_OPT_IN_NOTICE } from './qwen-opt-in-notice.js';

export default defineConnector({
  id: 'qwen-oauth',
  hasStaticCredentials: false,
  optInNotice: QWEN_OPT_IN_NOTICE,
  create: (context) => createQwenOAuthConnector(context),
});

/**
 * @fileoverview What a client is told when it reaches the Qwen OAuth backend before the user
 * opted in: the terms and the service status, in one sentence.
 */
export const QWEN_OPT_IN_NOTICE =
  "Qwen Code's OAuth login is issued to Qwen Code for its own use and the Qwen OAuth free tier was discontinued on 2026-04-15, so using that login from third-party software may breach Qwen's terms and get the account blocked.";

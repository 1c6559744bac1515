/**
 * @fileoverview What a client is told when it reaches the Kiro backend before the user opted in:
 * the terms, in one sentence.
 */
export const KIRO_OPT_IN_NOTICE =
  "Kiro's terms and the AWS Customer Agreement license Kiro's service for use through Kiro itself, so using a Kiro (AWS Builder ID, Google or GitHub) login from third-party software may breach them and get the account suspended.";

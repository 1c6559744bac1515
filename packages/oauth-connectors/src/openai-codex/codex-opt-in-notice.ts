/**
 * @fileoverview What a client is told when it reaches the OpenAI Codex backend before the user
 * opted in: OpenAI's terms, in one sentence.
 */
export const CODEX_OPT_IN_NOTICE =
  "OpenAI's Terms of Use allow the Codex CLI's ChatGPT login only for Codex itself and forbid automated or third-party access to ChatGPT, so using that login from third-party software may get the ChatGPT account suspended.";

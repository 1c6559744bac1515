/**
 * @fileoverview What a client is told when it reaches a Gemini OAuth backend the user has not
 * opted in to: Google's terms and the service status, in one sentence.
 */
export const GEMINI_OPT_IN_NOTICE =
  "Google's Gemini CLI terms say that third-party software using the Gemini CLI's OAuth login to reach Gemini Code Assist may get the Google account suspended, and consumer Code Assist (free, AI Pro, AI Ultra) was retired on 2026-06-18, so only paid Code Assist Standard or Enterprise licences still work.";

/**
 * @fileoverview Identifiers in the shapes the Responses API uses (`resp_…`, `msg_…`, `fc_…`, `ctc_…`, `rs_…`).
 */
import { randomBytes } from 'node:crypto';

export type ResponsesIdPrefix = 'resp' | 'msg' | 'fc' | 'ctc' | 'rs';

/** A new random id such as `resp_6f0c…` (24 random bytes in hex, like OpenAI's 48 characters). */
export function newResponsesId(prefix: ResponsesIdPrefix): string {
  return `${prefix}_${randomBytes(24).toString('hex')}`;
}

/**
 * @fileoverview Makes every drop visible (docs/translation.md): the `x-llmproxy-dropped-fields`
 * response header, set before the answer's first byte whether it streams or not, and one info
 * log line with the request id, the fields and the pair of APIs.
 */
import type { Response } from 'express';
import { formatDroppedFieldsHeader, limitedFieldList, type DroppedFields } from '../canonical/translation-fidelity.js';
import type { AppLogger } from '../logging/app-logger.js';
import { requestContextOf } from './request-context.js';

/** The response header naming the request fields a backend of another API did not receive. */
export const DROPPED_FIELDS_HEADER = 'x-llmproxy-dropped-fields';

export function announceDroppedFields(response: Response, dropped: DroppedFields | undefined, logger: AppLogger | undefined): void {
  if (dropped === undefined || dropped.fields.length === 0) return;
  response.setHeader(DROPPED_FIELDS_HEADER, formatDroppedFieldsHeader(dropped.fields));
  const { shown, more } = limitedFieldList(dropped.fields);
  logger?.info('Request fields dropped', {
    requestId: requestContextOf(response).requestId,
    fields: shown,
    ...(more > 0 ? { moreFields: more } : {}),
    from: dropped.from,
    to: dropped.to,
    backend: dropped.backend,
  });
}

/**
 * @fileoverview Gemini API error bodies: `{"error":{"code","message","status"}}`, where `status`
 * is the google.rpc canonical code name.
 */

/** The google.rpc status name Gemini clients expect for an HTTP status. */
export function geminiErrorStatus(status: number): string {
  switch (status) {
    case 400:
    case 413:
    case 415:
      return 'INVALID_ARGUMENT';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'ABORTED';
    case 429:
      return 'RESOURCE_EXHAUSTED';
    case 499:
      return 'CANCELLED';
    case 501:
      return 'UNIMPLEMENTED';
    case 503:
      return 'UNAVAILABLE';
    case 504:
      return 'DEADLINE_EXCEEDED';
    default:
      return status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION';
  }
}

/** A Gemini error body for a status and message. */
export function geminiErrorBody(status: number, message: string): object {
  return { error: { code: status, message, status: geminiErrorStatus(status) } };
}

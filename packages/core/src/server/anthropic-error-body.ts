/**
 * @fileoverview Anthropic Messages API error bodies: `{"type":"error","error":{"type","message"}}`.
 */

/** The `error.type` Anthropic clients expect for an HTTP status. */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
    case 415:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

/** An Anthropic error body for a status and message. */
export function anthropicErrorBody(status: number, message: string): object {
  return { type: 'error', error: { type: anthropicErrorType(status), message } };
}

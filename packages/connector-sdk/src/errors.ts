/**
 * @fileoverview The one error type of llmproxy. Throwers attach a stable code and the facts;
 * the CLI and the HTTP layer decide how to render them.
 *
 * Errors are branded with `Symbol.for` rather than recognised with `instanceof`, because a
 * third-party connector may bundle its own copy of this SDK.
 */

const ERROR_BRAND = Symbol.for('llmproxy.error');
/** A second marker on {@link UpstreamError}s, so that class has its own `is()`. */
const UPSTREAM_ERROR_BRAND = Symbol.for('llmproxy.upstream-error');

/** Where docs/errors.md lives; every code has an anchor there. */
export const ERRORS_DOCS_URL = 'https://github.com/llmproxy/llmproxy/blob/main/docs/errors.md';

export interface LlmProxyErrorOptions {
  /** Stable, documented code such as `BACKEND_NOT_FOUND`. Never reused for another meaning. */
  code: string;
  /** What failed, as one or more sentences. Users search for this text: keep it stable. */
  message: string;
  /** The value that caused the failure, already safe to show (never a secret). */
  currentValue?: string;
  /** How to fix it. */
  fix?: string;
  /** HTTP status when the error reaches an API client. Defaults to 500. */
  httpStatus?: number;
  /** Machine-readable extras for renderers (never secrets). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class LlmProxyError extends Error {
  readonly [ERROR_BRAND] = true;
  readonly code: string;
  /** The failure alone, without current value or fix. */
  readonly summary: string;
  readonly currentValue: string | undefined;
  readonly fix: string | undefined;
  readonly httpStatus: number;
  readonly details: Record<string, unknown>;

  constructor(options: LlmProxyErrorOptions) {
    super(composeMessage(options), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LlmProxyError';
    this.code = options.code;
    this.summary = options.message;
    this.currentValue = options.currentValue;
    this.fix = options.fix;
    this.httpStatus = options.httpStatus ?? 500;
    this.details = options.details ?? {};
  }

  /** Link to this code's entry in docs/errors.md. */
  get docsUrl(): string {
    return `${ERRORS_DOCS_URL}#${this.code.toLowerCase().replaceAll('_', '-')}`;
  }

  /** True for any llmproxy error, whichever copy of the SDK created it. */
  static is(value: unknown): value is LlmProxyError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[ERROR_BRAND] === true;
  }
}

/** The error body an upstream returned, as far as it could be parsed. */
export interface UpstreamErrorBody {
  message: string;
  type?: string | undefined;
  code?: string | number | null | undefined;
  param?: string | null | undefined;
}

/**
 * An upstream answered with an HTTP error. Front-ends pass the upstream status and message
 * through to the client in the client's own error format.
 */
export class UpstreamError extends LlmProxyError {
  readonly [UPSTREAM_ERROR_BRAND] = true;
  readonly upstreamStatus: number;
  readonly upstreamError: UpstreamErrorBody;
  /** Selected upstream response headers worth passing on (e.g. retry-after). */
  readonly upstreamHeaders: Record<string, string>;

  constructor(options: {
    backend: string;
    status: number;
    error: UpstreamErrorBody;
    headers?: Record<string, string>;
    cause?: unknown;
  }) {
    super({
      code: 'UPSTREAM_ERROR',
      message: options.error.message,
      httpStatus: options.status,
      details: { backend: options.backend },
      cause: options.cause,
    });
    this.name = 'UpstreamError';
    this.upstreamStatus = options.status;
    this.upstreamError = options.error;
    this.upstreamHeaders = options.headers ?? {};
  }

  /**
   * True for any upstream error, whichever copy of the SDK created it. Errors from SDK copies
   * older than 1.2 carry no marker of their own and are recognised by their code and shape.
   */
  static override is(value: unknown): value is UpstreamError {
    if (!LlmProxyError.is(value)) return false;
    if ((value as unknown as Record<symbol, unknown>)[UPSTREAM_ERROR_BRAND] === true) return true;
    const candidate = value as Partial<UpstreamError>;
    return value.code === 'UPSTREAM_ERROR' && typeof candidate.upstreamStatus === 'number' && typeof candidate.upstreamError === 'object';
  }
}

function composeMessage(options: LlmProxyErrorOptions): string {
  const parts = [ensureSentence(options.message)];
  if (options.currentValue !== undefined) parts.push(ensureSentence(`Current value: ${options.currentValue}`));
  if (options.fix !== undefined) parts.push(ensureSentence(options.fix));
  return parts.join(' ');
}

function ensureSentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?:]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

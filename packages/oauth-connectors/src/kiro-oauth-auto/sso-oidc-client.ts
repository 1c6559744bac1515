/**
 * @fileoverview AWS SSO OIDC (`https://oidc.{region}.amazonaws.com`) as Kiro uses it for AWS
 * Builder ID: register a public client (`POST /client/register`), start a device authorization
 * (`POST /device_authorization`), and create tokens (`POST /token`) with the device-code grant
 * or the refresh-token grant. Bodies and answers are JSON in camelCase.
 *
 * Errors carry an OAuth code in `error` (and the exception name in `x-amzn-errortype`):
 * `authorization_pending`, `slow_down`, `expired_token`, `access_denied`, `invalid_grant`, and
 * `invalid_client` when the client registration expired (about 90 days after it was made).
 */
import type { UpstreamHttpClient } from '@llmproxy/connector-sdk';
import { jsonObjectOf, postJson, type JsonResponse } from '../credentials/post-json.js';

/** The scopes Kiro asks for. */
export const KIRO_OIDC_SCOPES = Object.freeze([
  'codewhisperer:completions',
  'codewhisperer:analysis',
  'codewhisperer:conversations',
  'codewhisperer:transformations',
  'codewhisperer:taskassist',
]);
export const BUILDER_ID_START_URL = 'https://view.awsapps.com/start';
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export function ssoOidcUrl(region: string): string {
  return `https://oidc.${region}.amazonaws.com`;
}

/** Exception names → OAuth error codes, for answers that carry only the exception type. */
const EXCEPTION_CODES: Readonly<Record<string, string>> = {
  AuthorizationPendingException: 'authorization_pending',
  SlowDownException: 'slow_down',
  ExpiredTokenException: 'expired_token',
  AccessDeniedException: 'access_denied',
  InvalidClientException: 'invalid_client',
  InvalidGrantException: 'invalid_grant',
  UnauthorizedClientException: 'unauthorized_client',
  InvalidRequestException: 'invalid_request',
  InvalidScopeException: 'invalid_scope',
};

export interface OidcAnswer {
  ok: boolean;
  status: number;
  body: Record<string, unknown>;
  /** The OAuth error code of a failure (`authorization_pending`, `invalid_client`, ...). */
  error: string | undefined;
  description: string;
}

export class SsoOidcClient {
  constructor(
    private readonly http: UpstreamHttpClient,
    /** Without a trailing slash. */
    readonly baseUrl: string,
  ) {}

  registerClient(clientName: string, signal?: AbortSignal): Promise<OidcAnswer> {
    return this.post('/client/register', { clientName, clientType: 'public', scopes: KIRO_OIDC_SCOPES }, signal);
  }

  startDeviceAuthorization(clientId: string, clientSecret: string, startUrl: string, signal?: AbortSignal): Promise<OidcAnswer> {
    return this.post('/device_authorization', { clientId, clientSecret, startUrl }, signal);
  }

  createTokenWithDeviceCode(clientId: string, clientSecret: string, deviceCode: string, signal?: AbortSignal): Promise<OidcAnswer> {
    return this.post('/token', { clientId, clientSecret, grantType: DEVICE_CODE_GRANT, deviceCode }, signal);
  }

  createTokenWithRefreshToken(clientId: string, clientSecret: string, refreshToken: string, signal?: AbortSignal): Promise<OidcAnswer> {
    return this.post('/token', { clientId, clientSecret, grantType: 'refresh_token', refreshToken }, signal);
  }

  private async post(path: string, body: unknown, signal: AbortSignal | undefined): Promise<OidcAnswer> {
    const response = await postJson(this.http, `${this.baseUrl}${path}`, body, signal === undefined ? {} : { signal });
    return readOidcAnswer(response);
  }
}

function readOidcAnswer(response: JsonResponse): OidcAnswer {
  const body = jsonObjectOf(response);
  const ok = response.status >= 200 && response.status < 300;
  if (ok) return { ok, status: response.status, body, error: undefined, description: '' };
  const typeHeader = response.headers['x-amzn-errortype'];
  const exception = (Array.isArray(typeHeader) ? typeHeader[0] : typeHeader)?.split(':')[0] ?? (typeof body['__type'] === 'string' ? body['__type'].split('#').pop() : undefined);
  const error = typeof body['error'] === 'string' ? body['error'] : exception === undefined ? `HTTP ${response.status}` : (EXCEPTION_CODES[exception] ?? exception);
  const description =
    typeof body['error_description'] === 'string' ? body['error_description'] : typeof body['message'] === 'string' ? body['message'] : '';
  return { ok, status: response.status, body, error, description };
}

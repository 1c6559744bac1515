/**
 * A fake of the OpenAI services the `openai-codex` connector talks to, on 127.0.0.1, in their
 * real wire formats:
 *
 * - OpenAI's OAuth server: `POST /oauth/token` with the refresh grant as a JSON body (the Codex
 *   CLI's client id and scope; one-time refresh tokens: a used one is refused with 401
 *   `refresh_token_reused`), the authorization-code grant form-encoded with PKCE, and
 *   `GET /oauth/authorize`, which acts as the user's browser by redirecting to `redirect_uri`
 *   with a code and the `state`;
 * - the ChatGPT backend's `POST /backend-api/codex/responses`: Responses API server-sent events
 *   with the `x-codex-primary-*` / `x-codex-secondary-*` rate-limit headers, and the errors the
 *   backend sends (429 `usage_limit_reached` with `resets_at`, `usage_not_included`, other 429s,
 *   401, and a `response.failed` stream).
 *
 * Access tokens are JWTs (unsigned) whose `exp` says when they expire; ChatGPT accounts are told
 * apart by their account id.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const CODEX_CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';

/** An unsigned JWT with `claims`. */
export function fakeJwt(claims: Record<string, unknown>): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.signature`;
}

/** An access token for `accountId` that expires `expiresInSeconds` from now. */
export function fakeAccessToken(name: string, accountId: string, expiresInSeconds: number): string {
  return fakeJwt({ sub: name, exp: Math.floor(Date.now() / 1000) + expiresInSeconds, 'https://api.openai.com/auth': { chatgpt_account_id: accountId } });
}

/** An id token naming the ChatGPT account and its plan. */
export function fakeIdToken(email: string, accountId: string, planType = 'plus'): string {
  return fakeJwt({ email, 'https://api.openai.com/auth': { chatgpt_account_id: accountId, chatgpt_plan_type: planType } });
}

/** One scripted answer of the Responses endpoint; an empty queue answers normally. */
export type CodexBehaviour =
  | { kind: 'ok'; text?: string }
  | { kind: 'usage-limit'; resetsAt: number; planType?: string }
  | { kind: 'usage-not-included' }
  | { kind: 'rate-limited'; retryAfter?: string }
  | { kind: 'stream-usage-limit' };

export interface FakeChatGptAccount {
  accountId: string;
  /** Rate-limit headers sent with every 200 answer. */
  rateLimits?: Record<string, string>;
  behaviours: CodexBehaviour[];
}

export interface RecordedChatGptCall {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RefreshGrant {
  /** The access token (and its account) granted. */
  accessToken: string;
  /** The next one-time refresh token. */
  refreshToken: string;
  idToken?: string;
}

export interface FakeChatGptUpstream {
  url: string;
  /** `base_url` of the connector. */
  backendUrl: string;
  calls: RecordedChatGptCall[];
  /** One-time refresh tokens: refresh token → what it grants. Used tokens are remembered. */
  refreshGrants: Map<string, RefreshGrant>;
  /** Access tokens the backend accepts, and the account each belongs to. */
  validTokens: Map<string, string>;
  accounts: Map<string, FakeChatGptAccount>;
  addAccount(account: Omit<FakeChatGptAccount, 'behaviours'> & { behaviours?: CodexBehaviour[] }): FakeChatGptAccount;
  /** The login the fake authorize page grants (`accounts add codex`). */
  consentLogin: { accessToken: string; refreshToken: string; idToken: string };
  callsTo(path: string): RecordedChatGptCall[];
  /** Redeems a refresh token as another client (the Codex CLI) would: it is spent afterwards. */
  redeemRefreshToken(refreshToken: string): RefreshGrant;
  /** Holds token answers until released, to line up concurrent refreshes. */
  holdTokenAnswers(): () => void;
  close(): Promise<void>;
}

export async function startFakeChatGptUpstream(): Promise<FakeChatGptUpstream> {
  const calls: RecordedChatGptCall[] = [];
  const refreshGrants = new Map<string, RefreshGrant>();
  const usedRefreshTokens = new Set<string>();
  const validTokens = new Map<string, string>();
  const accounts = new Map<string, FakeChatGptAccount>();
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  const consentLogin = {
    accessToken: fakeAccessToken('consent', 'account-consent', 3600),
    refreshToken: 'consent-refresh',
    idToken: fakeIdToken('someone@example.com', 'account-consent', 'pro'),
  };
  let tokenGate: Promise<void> | undefined;

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      calls.push({ method: request.method ?? 'GET', path: url.pathname, headers: request.headers, body });
      void route(request, response, url, body).catch((error: unknown) => {
        if (!response.headersSent) sendJson(response, 500, { error: { message: String(error) } });
        else response.destroy();
      });
    });
  });

  async function route(request: http.IncomingMessage, response: http.ServerResponse, url: URL, body: string): Promise<void> {
    if (url.pathname === '/oauth/authorize') {
      // The "browser": the user logs in and OpenAI redirects back with a code.
      const redirectUri = url.searchParams.get('redirect_uri') ?? '';
      if (url.searchParams.get('client_id') !== CODEX_CLIENT_ID || url.searchParams.get('code_challenge_method') !== 'S256') {
        return sendJson(response, 400, { error: 'invalid_request' });
      }
      const code = `code-${codes.size + 1}`;
      codes.set(code, { challenge: url.searchParams.get('code_challenge') ?? '', redirectUri });
      const target = new URL(redirectUri);
      target.searchParams.set('code', code);
      target.searchParams.set('state', url.searchParams.get('state') ?? '');
      response.writeHead(302, { location: target.toString() }).end();
      return;
    }
    if (url.pathname === '/oauth/token') {
      if (tokenGate !== undefined) await tokenGate;
      if (String(request.headers['content-type']).includes('application/json')) {
        const payload = JSON.parse(body) as Record<string, unknown>;
        if (payload['client_id'] !== CODEX_CLIENT_ID || payload['grant_type'] !== 'refresh_token' || payload['scope'] !== 'openid profile email') {
          return sendJson(response, 400, { error: { message: 'unexpected refresh request', code: 'invalid_request' } });
        }
        const refreshToken = String(payload['refresh_token'] ?? '');
        if (usedRefreshTokens.has(refreshToken)) {
          return sendJson(response, 401, { error: { message: 'Your refresh token has already been used to generate a new access token. Please try signing in again.', type: 'invalid_request_error', code: 'refresh_token_reused' } });
        }
        const grant = refreshGrants.get(refreshToken);
        if (grant === undefined) return sendJson(response, 401, { error: { message: 'Could not validate your refresh token.', code: 'refresh_token_expired' } });
        usedRefreshTokens.add(refreshToken);
        refreshGrants.delete(refreshToken);
        return sendJson(response, 200, { access_token: grant.accessToken, refresh_token: grant.refreshToken, ...(grant.idToken === undefined ? {} : { id_token: grant.idToken }) });
      }
      const form = new URLSearchParams(body);
      const pending = codes.get(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      if (
        form.get('grant_type') !== 'authorization_code' ||
        form.get('client_id') !== CODEX_CLIENT_ID ||
        pending === undefined ||
        pending.redirectUri !== form.get('redirect_uri') ||
        createHash('sha256').update(verifier).digest('base64url') !== pending.challenge
      ) {
        return sendJson(response, 400, { error: 'invalid_grant', error_description: 'code, redirect_uri or PKCE verifier do not match' });
      }
      codes.delete(form.get('code') ?? '');
      validTokens.set(consentLogin.accessToken, 'account-consent');
      return sendJson(response, 200, { id_token: consentLogin.idToken, access_token: consentLogin.accessToken, refresh_token: consentLogin.refreshToken });
    }
    if (url.pathname === '/backend-api/codex/responses') return codexResponses(request, response, body);
    sendJson(response, 404, { error: { message: `Not found: ${url.pathname}` } });
  }

  function codexResponses(request: http.IncomingMessage, response: http.ServerResponse, body: string): void {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
    const tokenAccount = validTokens.get(token);
    if (tokenAccount === undefined) {
      return sendJson(response, 401, { error: { message: 'Your authentication token is not valid.', type: 'invalid_request_error', code: 'token_invalid' } });
    }
    const accountId = String(request.headers['chatgpt-account-id'] ?? '');
    const payload = JSON.parse(body) as Record<string, unknown>;
    const problems: string[] = [];
    if (accountId !== tokenAccount) problems.push(`chatgpt-account-id ${accountId} is not the token's account ${tokenAccount}`);
    if (request.headers['originator'] !== 'codex_cli_rs') problems.push('originator must be codex_cli_rs');
    if (typeof request.headers['version'] !== 'string') problems.push('version header missing');
    if (!String(request.headers['user-agent']).startsWith('codex_cli_rs/')) problems.push('User-Agent must be the Codex CLI\'s');
    if (payload['stream'] !== true) problems.push('stream must be true');
    if (payload['store'] !== false) problems.push('store must be false');
    if (typeof payload['instructions'] !== 'string' || payload['instructions'] === '') problems.push('instructions are required');
    if (request.headers['session_id'] !== payload['prompt_cache_key']) problems.push('session_id must equal prompt_cache_key');
    for (const field of ['max_output_tokens', 'temperature', 'top_p']) if (field in payload) problems.push(`Unsupported parameter: ${field}`);
    if (problems.length > 0) return sendJson(response, 400, { error: { message: problems.join('; '), type: 'invalid_request_error' } });

    const account = accounts.get(accountId);
    const behaviour = account?.behaviours.shift() ?? { kind: 'ok' };
    switch (behaviour.kind) {
      case 'usage-limit':
        return sendJson(response, 429, {
          error: { type: 'usage_limit_reached', message: 'The usage limit has been reached', plan_type: behaviour.planType ?? 'plus', resets_at: behaviour.resetsAt, resets_in_seconds: Math.max(0, behaviour.resetsAt - Math.floor(Date.now() / 1000)) },
        }, { 'x-codex-primary-used-percent': '100', 'x-codex-primary-window-minutes': '300', 'x-codex-primary-reset-at': String(behaviour.resetsAt) });
      case 'usage-not-included':
        return sendJson(response, 429, { error: { type: 'usage_not_included', message: 'To use Codex with your ChatGPT plan, upgrade to Plus: https://openai.com/chatgpt/pricing.', plan_type: 'free' } });
      case 'rate-limited':
        return sendJson(response, 429, { error: { type: 'rate_limit_exceeded', message: 'Rate limit reached, please slow down.' } }, behaviour.retryAfter === undefined ? {} : { 'retry-after': behaviour.retryAfter });
      case 'stream-usage-limit':
        response.writeHead(200, { 'content-type': 'text/event-stream', ...(account?.rateLimits ?? {}) });
        writeEvent(response, 'response.created', { type: 'response.created', response: { id: 'resp_failed', model: payload['model'], status: 'in_progress', created_at: 1 } });
        writeEvent(response, 'response.failed', { type: 'response.failed', response: { id: 'resp_failed', status: 'failed', error: { code: 'usage_limit_reached', message: 'The usage limit has been reached' } } });
        response.end();
        return;
      case 'ok': {
        const text = behaviour.text ?? `Codex says hi from ${accountId} (${String(payload['model'])})`;
        response.writeHead(200, { 'content-type': 'text/event-stream', ...(account?.rateLimits ?? {}) });
        const id = `resp_${accountId}`;
        const base = { id, object: 'response', model: payload['model'], created_at: 1_700_000_000 };
        writeEvent(response, 'response.created', { type: 'response.created', response: { ...base, status: 'in_progress', output: [] } });
        writeEvent(response, 'response.output_item.added', { type: 'response.output_item.added', output_index: 0, item: { id: 'msg_1', type: 'message', role: 'assistant', status: 'in_progress', content: [] } });
        const middle = Math.ceil(text.length / 2);
        for (const piece of [text.slice(0, middle), text.slice(middle)]) {
          writeEvent(response, 'response.output_text.delta', { type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: piece });
        }
        const message = { id: 'msg_1', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text, annotations: [] }] };
        writeEvent(response, 'response.output_item.done', { type: 'response.output_item.done', output_index: 0, item: message });
        writeEvent(response, 'response.completed', {
          type: 'response.completed',
          response: { ...base, status: 'completed', output: [message], usage: { input_tokens: 12, input_tokens_details: { cached_tokens: 4 }, output_tokens: 6, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 18 } },
        });
        response.end();
        return;
      }
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    backendUrl: `${url}/backend-api`,
    calls,
    refreshGrants,
    validTokens,
    accounts,
    consentLogin,
    addAccount(account) {
      const created: FakeChatGptAccount = { ...account, behaviours: account.behaviours ?? [] };
      accounts.set(account.accountId, created);
      return created;
    },
    callsTo: (path) => calls.filter((call) => call.path === path),
    redeemRefreshToken(refreshToken) {
      const grant = refreshGrants.get(refreshToken);
      if (grant === undefined || usedRefreshTokens.has(refreshToken)) throw new Error(`refresh token ${refreshToken} cannot be redeemed`);
      usedRefreshTokens.add(refreshToken);
      refreshGrants.delete(refreshToken);
      return grant;
    },
    holdTokenAnswers() {
      let release!: () => void;
      tokenGate = new Promise<void>((resolve) => (release = resolve));
      return () => {
        tokenGate = undefined;
        release();
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function writeEvent(response: http.ServerResponse, event: string, data: unknown): void {
  response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function sendJson(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/** A Codex CLI auth.json record. */
export function codexAuthFile(options: { accessToken: string; refreshToken: string; idToken: string; accountId: string | null; lastRefresh?: string; extra?: Record<string, unknown> }): Record<string, unknown> {
  return {
    OPENAI_API_KEY: null,
    tokens: { id_token: options.idToken, access_token: options.accessToken, refresh_token: options.refreshToken, account_id: options.accountId },
    last_refresh: options.lastRefresh ?? new Date().toISOString(),
    ...options.extra,
  };
}

/**
 * A fake of Qwen's services on 127.0.0.1, in their real wire formats: the OAuth server
 * (`POST /api/v1/oauth2/device/code` with PKCE, `POST /api/v1/oauth2/token` for the device-code
 * and refresh-token grants, with `authorization_pending` and `slow_down`) and the portal's
 * OpenAI-compatible `POST /v1/chat/completions` (plain and streamed).
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const QWEN_CLIENT_ID = 'f0304373b74a44d2b584a3fb70ca9e56';

export interface RecordedQwenCall {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface FakeQwenUpstream {
  url: string;
  calls: RecordedQwenCall[];
  /** refresh token → the access token a refresh grants (and an optional new resource_url). */
  refreshGrants: Map<string, { accessToken: string; resourceUrl?: string }>;
  /** Access tokens the portal accepts. */
  validTokens: Set<string>;
  /** Device login: answers before approval (`pending`/`slow`), then the token granted. */
  deviceLogin: { answers: Array<'pending' | 'slow'>; accessToken: string; refreshToken: string };
  callsTo(path: string): RecordedQwenCall[];
  holdTokenAnswers(): () => void;
  close(): Promise<void>;
}

export async function startFakeQwenUpstream(): Promise<FakeQwenUpstream> {
  const calls: RecordedQwenCall[] = [];
  const refreshGrants = new Map<string, { accessToken: string; resourceUrl?: string }>();
  const validTokens = new Set<string>();
  const deviceLogin: FakeQwenUpstream['deviceLogin'] = { answers: [], accessToken: 'device-access', refreshToken: 'device-refresh' };
  const devices = new Map<string, string>();
  let tokenGate: Promise<void> | undefined;
  let base = '';

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
      calls.push({ path, headers: request.headers, body });
      void route(request, response, path, body);
    });
  });

  async function route(request: http.IncomingMessage, response: http.ServerResponse, path: string, body: string): Promise<void> {
    if (path === '/api/v1/oauth2/device/code') {
      const form = new URLSearchParams(body);
      if (form.get('client_id') !== QWEN_CLIENT_ID || form.get('code_challenge_method') !== 'S256' || !form.get('code_challenge')) {
        return sendJson(response, 400, { error: 'invalid_request', error_description: 'PKCE S256 required' });
      }
      const deviceCode = `device-${devices.size + 1}`;
      devices.set(deviceCode, form.get('code_challenge')!);
      return sendJson(response, 200, {
        device_code: deviceCode,
        user_code: 'ABCD-EFGH',
        verification_uri: `${base}/authorize`,
        verification_uri_complete: `${base}/authorize?user_code=ABCD-EFGH&client=qwen-code`,
        expires_in: 600,
      });
    }
    if (path === '/api/v1/oauth2/token') {
      if (tokenGate !== undefined) await tokenGate;
      const form = new URLSearchParams(body);
      if (form.get('client_id') !== QWEN_CLIENT_ID) return sendJson(response, 401, { error: 'invalid_client' });
      if (form.get('grant_type') === 'refresh_token') {
        const grant = refreshGrants.get(form.get('refresh_token') ?? '');
        if (grant === undefined) return sendJson(response, 400, { error: 'invalid_grant', error_description: 'Refresh token expired or invalid' });
        validTokens.add(grant.accessToken);
        return sendJson(response, 200, {
          access_token: grant.accessToken,
          token_type: 'Bearer',
          expires_in: 21600,
          ...(grant.resourceUrl === undefined ? {} : { resource_url: grant.resourceUrl }),
        });
      }
      if (form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:device_code') {
        const challenge = devices.get(form.get('device_code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        if (challenge === undefined || createHash('sha256').update(verifier).digest('base64url') !== challenge) {
          return sendJson(response, 400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
        }
        const next = deviceLogin.answers.shift();
        if (next === 'pending') return sendJson(response, 400, { error: 'authorization_pending', error_description: 'The authorization request is still pending' });
        if (next === 'slow') return sendJson(response, 429, { error: 'slow_down', error_description: 'Polling too frequently' });
        validTokens.add(deviceLogin.accessToken);
        return sendJson(response, 200, {
          access_token: deviceLogin.accessToken,
          refresh_token: deviceLogin.refreshToken,
          token_type: 'Bearer',
          expires_in: 21600,
          resource_url: base.replace(/^http:\/\//, 'http://'),
        });
      }
      return sendJson(response, 400, { error: 'unsupported_grant_type' });
    }
    if (path === '/v1/chat/completions') {
      const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
      if (!validTokens.has(token)) {
        return sendJson(response, 401, { error: { message: 'Invalid access token or token expired', type: 'invalid_request_error', code: 'invalid_api_key' } });
      }
      const payload = JSON.parse(body) as { model: string; stream?: boolean };
      const text = `Qwen says hi (${payload.model})`;
      if (payload.stream === true) {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const [index, piece] of ['Qwen says ', `hi (${payload.model})`].entries()) {
          response.write(`data: ${JSON.stringify({ id: 'chatcmpl-q', object: 'chat.completion.chunk', created: 1, model: payload.model, choices: [{ index: 0, delta: index === 0 ? { role: 'assistant', content: piece } : { content: piece }, finish_reason: null }] })}\n\n`);
        }
        response.write(`data: ${JSON.stringify({ id: 'chatcmpl-q', object: 'chat.completion.chunk', created: 1, model: payload.model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
        response.end('data: [DONE]\n\n');
        return;
      }
      return sendJson(response, 200, {
        id: 'chatcmpl-q',
        object: 'chat.completion',
        created: 1,
        model: payload.model,
        choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
      });
    }
    sendJson(response, 404, { error: { message: `Not found: ${path}` } });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    calls,
    refreshGrants,
    validTokens,
    deviceLogin,
    callsTo: (path) => calls.filter((call) => call.path === path),
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

function sendJson(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

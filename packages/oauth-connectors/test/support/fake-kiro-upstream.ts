/**
 * A fake of the services the `kiro-oauth-auto` connector talks to, on 127.0.0.1, in their real
 * wire formats:
 *
 * - AWS SSO OIDC under `/oidc`: `POST /client/register`, `POST /device_authorization`,
 *   `POST /token` (device-code grant with `authorization_pending` / `slow_down`; refresh grant
 *   checking the client id and secret; `invalid_client` for an expired registration), JSON in
 *   camelCase, errors with `error` and `x-amzn-errortype`;
 * - Kiro's refresh endpoint for social logins, `POST /kiro-auth/refreshToken`;
 * - Kiro's API under `/kiro`: `POST /generateAssistantResponse`, answering with real AWS binary
 *   event-stream frames (encoded with the AWS SDK's codec), optionally split into small TCP
 *   writes, or broken on purpose (a bad CRC, a truncated frame); 402 monthly-quota and 429
 *   errors; and `GET /getUsageLimits` with `nextDateReset`.
 *
 * Accounts are told apart by their access token.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

/** One scripted answer of generateAssistantResponse; an empty queue answers with text. */
export type KiroBehaviour =
  | { kind: 'text'; pieces?: string[]; chunkBytes?: number }
  | { kind: 'tool-use'; text?: string; name: string; toolUseId: string; inputPieces: string[]; chunkBytes?: number }
  /** `goodFrames` frames, then one whose message CRC is wrong (the connection stays open). */
  | { kind: 'bad-crc'; goodFrames: number }
  /** One frame and half of the next, then the response ends. */
  | { kind: 'truncated' }
  | { kind: 'monthly-quota'; reason?: 'MONTHLY_REQUEST_COUNT' | 'OVERAGE_REQUEST_LIMIT_EXCEEDED' }
  | { kind: 'throttled'; retryAfter?: string }
  /** A 200 answer whose first message is a ThrottlingException. */
  | { kind: 'exception-throttling' };

export interface FakeKiroAccount {
  accessToken: string;
  /** The profile ARN the account must send (social), or null when it must send none (Builder ID). */
  profileArn: string | null;
  behaviours: KiroBehaviour[];
  /** `nextDateReset` of getUsageLimits (unix seconds); undefined makes that API fail. */
  nextDateReset?: number;
}

export interface RecordedKiroCall {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface FakeKiroUpstream {
  url: string;
  /** `sso_oidc_url`, `kiro_auth_url` and `api_base_url` of the connector. */
  oidcUrl: string;
  kiroAuthUrl: string;
  apiUrl: string;
  calls: RecordedKiroCall[];
  accounts: Map<string, FakeKiroAccount>;
  addAccount(account: Omit<FakeKiroAccount, 'behaviours'> & { behaviours?: KiroBehaviour[] }): FakeKiroAccount;
  /** Builder ID refresh grants: refresh token → new tokens, for the client id that must send it. */
  oidcRefreshGrants: Map<string, { clientId: string; accessToken: string; refreshToken?: string }>;
  /** Client ids whose registration has expired. */
  expiredClients: Set<string>;
  /** Social refresh grants: refresh token → new tokens and profile ARN. */
  socialRefreshGrants: Map<string, { accessToken: string; refreshToken: string; profileArn: string }>;
  /** Device login: answers before approval, then the tokens granted. */
  deviceLogin: { answers: Array<'pending' | 'slow'>; accessToken: string; refreshToken: string };
  callsTo(path: string): RecordedKiroCall[];
  close(): Promise<void>;
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** One event-stream frame of an event. */
export function eventFrame(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': { type: 'string', value: 'event' },
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

function exceptionFrame(exceptionType: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': { type: 'string', value: 'exception' },
      ':exception-type': { type: 'string', value: exceptionType },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: fromUtf8(JSON.stringify({ message })),
  });
}

export async function startFakeKiroUpstream(): Promise<FakeKiroUpstream> {
  const calls: RecordedKiroCall[] = [];
  const accounts = new Map<string, FakeKiroAccount>();
  const oidcRefreshGrants = new Map<string, { clientId: string; accessToken: string; refreshToken?: string }>();
  const expiredClients = new Set<string>();
  const socialRefreshGrants = new Map<string, { accessToken: string; refreshToken: string; profileArn: string }>();
  const deviceLogin: FakeKiroUpstream['deviceLogin'] = { answers: [], accessToken: 'device-access', refreshToken: 'device-refresh' };
  const clients = new Map<string, string>();
  const devices = new Map<string, string>();
  const openResponses = new Set<http.ServerResponse>();

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      calls.push({ method: request.method ?? 'GET', path: url.pathname, headers: request.headers, body });
      void route(request, response, url, body).catch((error: unknown) => {
        if (!response.headersSent) sendJson(response, 500, { message: String(error) });
        else response.destroy();
      });
    });
  });

  async function route(request: http.IncomingMessage, response: http.ServerResponse, url: URL, body: string): Promise<void> {
    const json = (): Record<string, unknown> => (body === '' ? {} : (JSON.parse(body) as Record<string, unknown>));
    switch (url.pathname) {
      case '/oidc/client/register': {
        const payload = json();
        if (payload['clientType'] !== 'public' || !Array.isArray(payload['scopes']) || !(payload['scopes'] as unknown[]).includes('codewhisperer:conversations')) {
          return oidcError(response, 400, 'InvalidRequestException', 'invalid_request');
        }
        const clientId = `client-${clients.size + 1}`;
        clients.set(clientId, `secret-${clients.size + 1}`);
        return sendJson(response, 200, { clientId, clientSecret: clients.get(clientId), clientIdIssuedAt: Math.floor(Date.now() / 1000), clientSecretExpiresAt: Math.floor(Date.now() / 1000) + 90 * 86400 });
      }
      case '/oidc/device_authorization': {
        const payload = json();
        if (clients.get(String(payload['clientId'])) !== payload['clientSecret'] || typeof payload['startUrl'] !== 'string') {
          return oidcError(response, 400, 'InvalidClientException', 'invalid_client');
        }
        const deviceCode = `device-${devices.size + 1}`;
        devices.set(deviceCode, String(payload['clientId']));
        return sendJson(response, 200, {
          deviceCode,
          userCode: 'WXYZ-1234',
          verificationUri: 'https://device.sso.us-east-1.amazonaws.com/',
          verificationUriComplete: 'https://device.sso.us-east-1.amazonaws.com/?user_code=WXYZ-1234',
          expiresIn: 600,
          interval: 1,
        });
      }
      case '/oidc/token': {
        const payload = json();
        const clientId = String(payload['clientId'] ?? '');
        if (payload['grantType'] === 'refresh_token') {
          if (expiredClients.has(clientId)) return oidcError(response, 400, 'InvalidClientException', 'invalid_client', 'Client registration has expired');
          const grant = oidcRefreshGrants.get(String(payload['refreshToken']));
          if (grant === undefined || grant.clientId !== clientId || typeof payload['clientSecret'] !== 'string') {
            return oidcError(response, 400, 'InvalidGrantException', 'invalid_grant', 'Invalid refresh token provided');
          }
          return sendJson(response, 200, { accessToken: grant.accessToken, ...(grant.refreshToken === undefined ? {} : { refreshToken: grant.refreshToken }), expiresIn: 3600, tokenType: 'Bearer' });
        }
        if (payload['grantType'] === 'urn:ietf:params:oauth:grant-type:device_code') {
          if (devices.get(String(payload['deviceCode'])) !== clientId || clients.get(clientId) !== payload['clientSecret']) {
            return oidcError(response, 400, 'InvalidGrantException', 'invalid_grant');
          }
          const next = deviceLogin.answers.shift();
          if (next === 'pending') return oidcError(response, 400, 'AuthorizationPendingException', 'authorization_pending');
          if (next === 'slow') return oidcError(response, 400, 'SlowDownException', 'slow_down');
          return sendJson(response, 200, { accessToken: deviceLogin.accessToken, refreshToken: deviceLogin.refreshToken, expiresIn: 3600, tokenType: 'Bearer' });
        }
        return oidcError(response, 400, 'UnsupportedGrantTypeException', 'unsupported_grant_type');
      }
      case '/kiro-auth/refreshToken': {
        const grant = socialRefreshGrants.get(String(json()['refreshToken']));
        if (grant === undefined) return sendJson(response, 401, { message: 'Invalid refresh token' });
        return sendJson(response, 200, { accessToken: grant.accessToken, refreshToken: grant.refreshToken, expiresIn: 3600, profileArn: grant.profileArn });
      }
      case '/kiro/getUsageLimits': {
        const account = accountOf(request);
        if (account?.nextDateReset === undefined) return sendJson(response, 500, { message: 'usage limits unavailable' });
        return sendJson(response, 200, {
          nextDateReset: account.nextDateReset,
          usageBreakdownList: [{ resourceType: 'AGENTIC_REQUEST', currentUsage: 50, usageLimit: 50, nextDateReset: account.nextDateReset }],
        });
      }
      case '/kiro/generateAssistantResponse':
        return generate(request, response, json());
      default:
        return sendJson(response, 404, { message: `Not found: ${url.pathname}` });
    }
  }

  function accountOf(request: http.IncomingMessage): FakeKiroAccount | undefined {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
    return accounts.get(token);
  }

  async function generate(request: http.IncomingMessage, response: http.ServerResponse, payload: Record<string, unknown>): Promise<void> {
    const account = accountOf(request);
    if (account === undefined) return sendJson(response, 403, { message: 'The bearer token included in the request is invalid.' }, { 'x-amzn-errortype': 'AccessDeniedException' });
    const state = payload['conversationState'] as Record<string, unknown> | undefined;
    const current = (state?.['currentMessage'] as Record<string, unknown> | undefined)?.['userInputMessage'] as Record<string, unknown> | undefined;
    if (state?.['chatTriggerType'] !== 'MANUAL' || typeof state['conversationId'] !== 'string' || current?.['origin'] !== 'AI_EDITOR' || typeof current['content'] !== 'string') {
      return sendJson(response, 400, { message: 'Improperly formed request.' }, { 'x-amzn-errortype': 'ValidationException' });
    }
    if ((payload['profileArn'] ?? null) !== account.profileArn) {
      return sendJson(response, 400, { message: `profileArn must be ${account.profileArn ?? 'absent'}` }, { 'x-amzn-errortype': 'ValidationException' });
    }
    const behaviour = account.behaviours.shift() ?? { kind: 'text' };
    switch (behaviour.kind) {
      case 'monthly-quota':
        return sendJson(response, 402, { message: 'You have reached the limit for this month.', reason: behaviour.reason ?? 'MONTHLY_REQUEST_COUNT' });
      case 'throttled':
        return sendJson(response, 429, { message: 'Too many requests, please wait before trying again.' }, { 'x-amzn-errortype': 'ThrottlingException', ...(behaviour.retryAfter === undefined ? {} : { 'retry-after': behaviour.retryAfter }) });
      default:
        break;
    }
    response.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
    openResponses.add(response);
    response.on('close', () => openResponses.delete(response));
    const modelId = String(current['modelId']);
    switch (behaviour.kind) {
      case 'text': {
        const pieces = behaviour.pieces ?? ['Kiro says ', `hi (${modelId})`];
        const frames = [
          eventFrame('messageMetadataEvent', { conversationId: state['conversationId'] }),
          ...pieces.map((content) => eventFrame('assistantResponseEvent', { content, modelId })),
          eventFrame('meteringEvent', { unit: 'credit', unitPlural: 'credits', usage: 0.1 }),
          eventFrame('contextUsageEvent', { contextUsagePercentage: 1.5 }),
        ];
        await writeFrames(response, frames, behaviour.chunkBytes);
        response.end();
        return;
      }
      case 'tool-use': {
        const frames = [
          ...(behaviour.text === undefined ? [] : [eventFrame('assistantResponseEvent', { content: behaviour.text })]),
          ...behaviour.inputPieces.map((input) => eventFrame('toolUseEvent', { name: behaviour.name, toolUseId: behaviour.toolUseId, input })),
          eventFrame('toolUseEvent', { name: behaviour.name, toolUseId: behaviour.toolUseId, stop: true }),
        ];
        await writeFrames(response, frames, behaviour.chunkBytes);
        response.end();
        return;
      }
      case 'bad-crc': {
        const frames = Array.from({ length: behaviour.goodFrames }, (_, index) => eventFrame('assistantResponseEvent', { content: `piece ${index + 1} ` }));
        const broken = eventFrame('assistantResponseEvent', { content: 'corrupted' });
        broken[broken.byteLength - 1] = (broken[broken.byteLength - 1]! + 1) % 256;
        await writeFrames(response, [...frames, broken]);
        // The connection stays open: only the checksum can end this stream.
        return;
      }
      case 'truncated': {
        const whole = eventFrame('assistantResponseEvent', { content: 'complete ' });
        const cut = eventFrame('assistantResponseEvent', { content: 'never finished' });
        await writeFrames(response, [whole, cut.subarray(0, Math.floor(cut.byteLength / 2))]);
        response.end();
        return;
      }
      case 'exception-throttling':
        response.end(exceptionFrame('ThrottlingException', 'Rate exceeded'));
        return;
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    oidcUrl: `${url}/oidc`,
    kiroAuthUrl: `${url}/kiro-auth`,
    apiUrl: `${url}/kiro`,
    calls,
    accounts,
    addAccount(account) {
      const created: FakeKiroAccount = { ...account, behaviours: account.behaviours ?? [] };
      accounts.set(account.accessToken, created);
      return created;
    },
    oidcRefreshGrants,
    expiredClients,
    socialRefreshGrants,
    deviceLogin,
    callsTo: (path) => calls.filter((call) => call.path === path),
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of openResponses) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Writes the frames, each split into `chunkBytes`-byte TCP writes with a pause between them. */
async function writeFrames(response: http.ServerResponse, frames: readonly Uint8Array[], chunkBytes?: number): Promise<void> {
  const bytes = Buffer.concat(frames.map((frame) => Buffer.from(frame)));
  if (chunkBytes === undefined) {
    response.write(bytes);
    return;
  }
  for (let offset = 0; offset < bytes.byteLength; offset += chunkBytes) {
    response.write(bytes.subarray(offset, offset + chunkBytes));
    // A pause so each piece leaves as its own TCP segment.
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function oidcError(response: http.ServerResponse, status: number, exception: string, error: string, description = ''): void {
  sendJson(response, status, { error, error_description: description }, { 'x-amzn-errortype': `${exception}:http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/` });
}

function sendJson(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/** A Builder ID pool account record. */
export function builderIdAccount(options: { accessToken: string; refreshToken: string; expiresInMs: number; clientId: string; clientSecret?: string; clientSecretExpiresAt?: number }): Record<string, unknown> {
  return {
    accessToken: options.accessToken,
    refreshToken: options.refreshToken,
    expiresAt: new Date(Date.now() + options.expiresInMs).toISOString(),
    authMethod: 'IdC',
    provider: 'BuilderId',
    region: 'us-east-1',
    clientId: options.clientId,
    clientSecret: options.clientSecret ?? 'secret',
    ...(options.clientSecretExpiresAt === undefined ? {} : { clientSecretExpiresAt: options.clientSecretExpiresAt }),
  };
}

/** A social (Google/GitHub) login record as Kiro writes it. */
export function socialAccount(options: { accessToken: string; refreshToken: string; expiresInMs: number; profileArn: string }): Record<string, unknown> {
  return {
    accessToken: options.accessToken,
    refreshToken: options.refreshToken,
    expiresAt: new Date(Date.now() + options.expiresInMs).toISOString(),
    authMethod: 'social',
    provider: 'Google',
    profileArn: options.profileArn,
    region: 'us-east-1',
  };
}

/**
 * A fake of the Google services the Gemini OAuth connectors talk to, on 127.0.0.1, speaking
 * their real wire formats:
 *
 * - the OAuth token endpoint (`POST /token`, form-encoded `grant_type=refresh_token` with the
 *   Gemini CLI's client id and secret; `invalid_grant` for an unknown refresh token);
 * - the Code Assist API: `POST /v1internal:loadCodeAssist`, `:onboardUser` (a long-running
 *   operation read with `GET /v1internal/operations/<id>`), `:generateContent` and
 *   `:streamGenerateContent?alt=sse` (every answer wrapped as `{response: ...}`, streams without
 *   `[DONE]`), with the quota, verification, eligibility and project errors Google sends.
 *
 * Accounts are told apart by their access token.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const GEMINI_CLI_CLIENT_ID = '681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com';
export const GEMINI_CLI_CLIENT_SECRET = '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';

/** What `loadCodeAssist` answers for an account. */
export type LoadBehaviour =
  /** Already onboarded: `currentTier` and a managed project. */
  | { kind: 'onboarded'; project?: string; tierId?: string }
  /** Not onboarded: no current tier; `onboardUser` with the default tier, `polls` operation reads before done. */
  | { kind: 'needs-onboarding'; defaultTier: 'free-tier' | 'standard-tier'; project?: string; polls?: number }
  /** A 200 answer whose `ineligibleTiers` ask for verification. */
  | { kind: 'validation-required'; validationUrl: string }
  /** A 200 answer with a current tier but no project, and ineligibility reasons. */
  | { kind: 'ineligible'; reasons: Array<{ reasonCode: string; reasonMessage: string }> }
  /** 403 "Permission denied on resource project". */
  | { kind: 'project-denied' };

/** One scripted generate answer; the queue falls back to a normal answer when empty. */
export type GenerateBehaviour =
  | { kind: 'ok'; text?: string }
  | { kind: 'rate-limited'; retryDelay?: string; quotaResetDelay?: string }
  | { kind: 'quota-exhausted'; quotaResetTimeStamp?: string; quotaResetDelay?: string }
  | { kind: 'bare-429' }
  | { kind: 'validation-required'; validationUrl: string; inMetadata?: boolean }
  | { kind: 'unauthorized' }
  | { kind: 'not-found' }
  /** A 200 stream that sends one chunk and then an error event (a quota hit mid-answer). */
  | { kind: 'stream-error' };

export interface FakeGoogleAccount {
  accessToken: string;
  load: LoadBehaviour;
  generate: GenerateBehaviour[];
}

export interface RecordedCall {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface FakeGoogleUpstream {
  /** Base URL of the Code Assist API (without `/v1internal`). */
  url: string;
  tokenUrl: string;
  calls: RecordedCall[];
  /** refresh token → the access token a refresh grants. */
  refreshGrants: Map<string, { accessToken: string; expiresIn: number }>;
  accounts: Map<string, FakeGoogleAccount>;
  addAccount(account: Omit<FakeGoogleAccount, 'generate'> & { generate?: GenerateBehaviour[] }): FakeGoogleAccount;
  /** Calls whose path ends with `suffix`. */
  callsTo(suffix: string): RecordedCall[];
  /**
   * The Google account that the fake consent page (`GET /auth`) logs in: the page redirects
   * straight back to the `redirect_uri` with a code (as Google does after consent), and the code
   * exchange grants these tokens.
   */
  consentAccount: { email: string; accessToken: string; refreshToken: string };
  authorizationUrl: string;
  /** Holds token answers until released, to line up concurrent refreshes. */
  holdTokenAnswers(): () => void;
  close(): Promise<void>;
}

export async function startFakeGoogleUpstream(): Promise<FakeGoogleUpstream> {
  const calls: RecordedCall[] = [];
  const refreshGrants = new Map<string, { accessToken: string; expiresIn: number }>();
  const accounts = new Map<string, FakeGoogleAccount>();
  const operations = new Map<string, { remainingPolls: number; project: string | undefined }>();
  let tokenGate: Promise<void> | undefined;
  const consentAccount = { email: 'someone@example.com', accessToken: 'consent-access', refreshToken: 'consent-refresh' };
  const authorizationCodes = new Map<string, { challenge: string; redirectUri: string }>();

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      calls.push({ method: request.method ?? '', path: `${url.pathname}${url.search}`, headers: request.headers, body });
      void route(request, response, url, body).catch((error: unknown) => {
        sendJson(response, 500, { error: { code: 500, message: String(error), status: 'INTERNAL' } });
      });
    });
  });

  async function route(request: http.IncomingMessage, response: http.ServerResponse, url: URL, body: string): Promise<void> {
    if (request.method === 'GET' && url.pathname === '/auth') {
      const redirectUri = url.searchParams.get('redirect_uri') ?? '';
      if (url.searchParams.get('client_id') !== GEMINI_CLI_CLIENT_ID || !/^http:\/\/127\.0\.0\.1:\d+\//.test(redirectUri)) {
        response.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_request');
        return;
      }
      const code = `code-${randomBytes(6).toString('hex')}`;
      authorizationCodes.set(code, { challenge: url.searchParams.get('code_challenge') ?? '', redirectUri });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      back.searchParams.set('scope', url.searchParams.get('scope') ?? '');
      response.writeHead(302, { location: back.toString() }).end();
      return;
    }
    if (request.method === 'POST' && url.pathname === '/token') {
      if (tokenGate !== undefined) await tokenGate;
      answerToken(response, new URLSearchParams(body));
      return;
    }
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const account = token === undefined ? undefined : accounts.get(token);
    if (account === undefined) {
      sendJson(response, 401, {
        error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' },
      });
      return;
    }
    if (request.method === 'GET' && url.pathname.startsWith('/v1internal/operations/')) {
      const name = url.pathname.slice('/v1internal/'.length);
      const operation = operations.get(name);
      if (operation === undefined) return sendJson(response, 404, { error: { code: 404, message: 'Operation not found', status: 'NOT_FOUND' } });
      if (operation.remainingPolls > 0) {
        operation.remainingPolls -= 1;
        return sendJson(response, 200, { name, done: false });
      }
      return sendJson(response, 200, doneOperation(name, operation.project));
    }
    const method = /^\/v1internal:(\w+)$/.exec(url.pathname)?.[1];
    const payload = body === '' ? {} : (JSON.parse(body) as Record<string, unknown>);
    switch (method) {
      case 'loadCodeAssist':
        return answerLoad(response, account);
      case 'onboardUser': {
        if (account.load.kind !== 'needs-onboarding') return sendJson(response, 400, { error: { code: 400, message: 'Already onboarded', status: 'FAILED_PRECONDITION' } });
        if (payload['tierId'] === 'free-tier' && payload['cloudaicompanionProject'] !== undefined) {
          return sendJson(response, 400, { error: { code: 400, message: 'Precondition Failed', status: 'FAILED_PRECONDITION' } });
        }
        const project = account.load.defaultTier === 'free-tier' ? (account.load.project ?? 'managed-free-project') : (payload['cloudaicompanionProject'] as string | undefined);
        const name = `operations/onboard-${randomBytes(4).toString('hex')}`;
        const polls = account.load.polls ?? 1;
        if (polls === 0) return sendJson(response, 200, doneOperation(name, project));
        operations.set(name, { remainingPolls: polls - 1, project });
        return sendJson(response, 200, { name, done: false });
      }
      case 'generateContent':
      case 'streamGenerateContent':
        return answerGenerate(response, account, payload, method === 'streamGenerateContent' && url.searchParams.get('alt') === 'sse');
      default:
        return sendJson(response, 404, { error: { code: 404, message: `Method not found: ${url.pathname}`, status: 'NOT_FOUND' } });
    }
  }

  function answerToken(response: http.ServerResponse, form: URLSearchParams): void {
    if (form.get('client_id') !== GEMINI_CLI_CLIENT_ID || form.get('client_secret') !== GEMINI_CLI_CLIENT_SECRET) {
      return sendJson(response, 401, { error: 'invalid_client', error_description: 'The OAuth client was not found.' });
    }
    if (form.get('grant_type') === 'authorization_code') {
      const issued = authorizationCodes.get(form.get('code') ?? '');
      authorizationCodes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      if (issued === undefined || issued.redirectUri !== form.get('redirect_uri') || createHash('sha256').update(verifier).digest('base64url') !== issued.challenge) {
        return sendJson(response, 400, { error: 'invalid_grant', error_description: 'Bad Request' });
      }
      const claims = Buffer.from(JSON.stringify({ email: consentAccount.email, sub: '1234' })).toString('base64url');
      return sendJson(response, 200, {
        access_token: consentAccount.accessToken,
        refresh_token: consentAccount.refreshToken,
        expires_in: 3599,
        scope: 'https://www.googleapis.com/auth/cloud-platform openid',
        token_type: 'Bearer',
        id_token: `eyJhbGciOiJub25lIn0.${claims}.`,
      });
    }
    if (form.get('grant_type') !== 'refresh_token') return sendJson(response, 400, { error: 'unsupported_grant_type' });
    const grant = refreshGrants.get(form.get('refresh_token') ?? '');
    if (grant === undefined) return sendJson(response, 400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
    sendJson(response, 200, {
      access_token: grant.accessToken,
      expires_in: grant.expiresIn,
      scope: 'https://www.googleapis.com/auth/cloud-platform',
      token_type: 'Bearer',
    });
  }

  function answerLoad(response: http.ServerResponse, account: FakeGoogleAccount): void {
    const load = account.load;
    switch (load.kind) {
      case 'onboarded':
        return sendJson(response, 200, {
          currentTier: { id: load.tierId ?? 'standard-tier', name: 'Gemini Code Assist' },
          allowedTiers: [{ id: load.tierId ?? 'standard-tier', isDefault: true }],
          cloudaicompanionProject: load.project ?? 'managed-project',
        });
      case 'needs-onboarding':
        return sendJson(response, 200, {
          allowedTiers: [
            { id: 'free-tier', name: 'Gemini Code Assist for individuals', isDefault: load.defaultTier === 'free-tier' },
            { id: 'standard-tier', name: 'Gemini Code Assist', isDefault: load.defaultTier === 'standard-tier', userDefinedCloudaicompanionProject: true },
          ],
        });
      case 'validation-required':
        return sendJson(response, 200, {
          allowedTiers: [{ id: 'free-tier', isDefault: true }],
          ineligibleTiers: [
            {
              reasonCode: 'VALIDATION_REQUIRED',
              reasonMessage: 'Verify your account to continue.',
              tierId: 'free-tier',
              validationUrl: load.validationUrl,
            },
          ],
        });
      case 'ineligible':
        return sendJson(response, 200, {
          currentTier: { id: 'free-tier' },
          ineligibleTiers: load.reasons.map((reason) => ({ ...reason, tierId: 'free-tier', tierName: 'Gemini Code Assist for individuals' })),
        });
      case 'project-denied':
        return sendJson(response, 403, {
          error: {
            code: 403,
            message: "Permission denied on resource project my-missing-project.",
            status: 'PERMISSION_DENIED',
            details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'CONSUMER_INVALID', domain: 'googleapis.com' }],
          },
        });
    }
  }

  function answerGenerate(response: http.ServerResponse, account: FakeGoogleAccount, payload: Record<string, unknown>, sse: boolean): void {
    const behaviour = account.generate.shift() ?? { kind: 'ok' };
    switch (behaviour.kind) {
      case 'rate-limited':
        return sendJson(response, 429, quotaError('RATE_LIMIT_EXCEEDED', behaviour.retryDelay, behaviour.quotaResetDelay === undefined ? {} : { quotaResetDelay: behaviour.quotaResetDelay }));
      case 'quota-exhausted': {
        const metadata: Record<string, string> = {};
        if (behaviour.quotaResetDelay !== undefined) metadata['quotaResetDelay'] = behaviour.quotaResetDelay;
        if (behaviour.quotaResetTimeStamp !== undefined) metadata['quotaResetTimeStamp'] = behaviour.quotaResetTimeStamp;
        return sendJson(response, 429, quotaError('QUOTA_EXHAUSTED', undefined, metadata));
      }
      case 'bare-429':
        return sendJson(response, 429, { error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' } });
      case 'validation-required':
        return sendJson(response, 403, {
          error: {
            code: 403,
            message: 'Verify your account to continue using Gemini Code Assist.',
            status: 'PERMISSION_DENIED',
            details: [
              {
                '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
                reason: 'VALIDATION_REQUIRED',
                domain: 'cloudcode-pa.googleapis.com',
                metadata: behaviour.inMetadata === true ? { validation_link: behaviour.validationUrl } : {},
              },
              ...(behaviour.inMetadata === true
                ? []
                : [{ '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Verify your account', url: behaviour.validationUrl }, { description: 'Learn more', url: 'https://support.google.com/code-assist' }] }]),
            ],
          },
        });
      case 'unauthorized':
        return sendJson(response, 401, { error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } });
      case 'not-found':
        return sendJson(response, 404, { error: { code: 404, message: `Requested entity was not found.`, status: 'NOT_FOUND' } });
      case 'stream-error':
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write(`data: ${JSON.stringify({ response: { candidates: [{ content: { role: 'model', parts: [{ text: 'Partial ' }] }, index: 0 }] } })}\r\n\r\n`);
        response.end(`data: ${JSON.stringify({ error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' } })}\r\n\r\n`);
        return;
      case 'ok':
        break;
    }
    const model = String(payload['model']);
    const project = String(payload['project']);
    const text = behaviour.text ?? `Hello from ${project}`;
    const usageMetadata = { promptTokenCount: 5, candidatesTokenCount: 4, totalTokenCount: 9 };
    if (!sse) {
      return sendJson(response, 200, {
        response: { candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', index: 0 }], usageMetadata, modelVersion: model },
        traceId: 'trace-1',
      });
    }
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const words = text.split(/(?<= )/);
    words.forEach((word, index) => {
      const last = index === words.length - 1;
      const chunk = {
        response: {
          candidates: [{ content: { role: 'model', parts: [{ text: word }] }, ...(last ? { finishReason: 'STOP' } : {}), index: 0 }],
          ...(last ? { usageMetadata } : {}),
          modelVersion: model,
        },
        traceId: 'trace-1',
      };
      response.write(`data: ${JSON.stringify(chunk)}\r\n\r\n`);
    });
    // Code Assist ends its streams without [DONE].
    response.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    tokenUrl: `${base}/token`,
    authorizationUrl: `${base}/auth`,
    consentAccount,
    calls,
    refreshGrants,
    accounts,
    addAccount(account) {
      const complete: FakeGoogleAccount = { ...account, generate: account.generate ?? [] };
      accounts.set(account.accessToken, complete);
      return complete;
    },
    callsTo: (suffix) => calls.filter((call) => call.path.split('?')[0]!.endsWith(suffix)),
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

function doneOperation(name: string, project: string | undefined): object {
  return {
    name,
    done: true,
    response: {
      '@type': 'type.googleapis.com/google.internal.cloud.code.v1internal.OnboardUserResponse',
      ...(project === undefined ? {} : { cloudaicompanionProject: { id: project, name: project } }),
    },
  };
}

function quotaError(reason: string, retryDelay: string | undefined, metadata: Record<string, string>): object {
  return {
    error: {
      code: 429,
      message: reason === 'QUOTA_EXHAUSTED' ? 'You have exhausted your daily quota on this model.' : 'Resource has been exhausted (e.g. check quota).',
      status: 'RESOURCE_EXHAUSTED',
      details: [
        { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain: 'cloudcode-pa.googleapis.com', metadata: { model: 'gemini-2.5-pro', ...metadata } },
        ...(retryDelay === undefined ? [] : [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay }]),
      ],
    },
  };
}

function sendJson(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  response.end(JSON.stringify(body));
}

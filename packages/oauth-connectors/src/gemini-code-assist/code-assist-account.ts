/**
 * @fileoverview One Google login used against Gemini Code Assist: its tokens, its project
 * (set up once, then reused), and generation. The request body is the plain Gemini body from
 * core's codec wrapped as `{model, project, user_prompt_id, request}`; every answer and every
 * stream event comes wrapped as `{response: {...}}` and is unwrapped before the same codec reads
 * it. Code Assist streams end without `[DONE]`.
 */
import { randomUUID } from 'node:crypto';
import { isRecord, LlmProxyError, readUpstreamErrorBody, UpstreamError } from '@llmproxy/connector-sdk';
import type { ChatRequest, ConnectorLogger, GeminiWireCodec, ServerSentEvent } from '@llmproxy/connector-sdk';
import type { OAuthTokenStore, StoredTokens } from '../credentials/oauth-token-store.js';
import type { AccountOutcome } from './account-outcome.js';
import type { CodeAssistApi } from './code-assist-api.js';
import { verificationRequiredError, type AccountErrorContext } from './code-assist-errors.js';
import { readCodeAssistFailure } from './read-code-assist-failure.js';
import { setUpCodeAssistProject, type CodeAssistProject } from './set-up-code-assist-project.js';

const UPSTREAM_NAME = 'Gemini Code Assist';

export interface CodeAssistAccountOptions extends AccountErrorContext {
  api: CodeAssistApi;
  codec: GeminiWireCodec;
  tokens: OAuthTokenStore;
  logger: ConnectorLogger;
  /** The user's own project for this account (read per setup, so a changed file or variable counts). */
  userProject(): Promise<string | undefined>;
  onboardPollIntervalMs: number;
  maxOnboardPolls: number;
}

export class CodeAssistAccount {
  readonly label: string;
  private readonly options: CodeAssistAccountOptions;
  private project: Promise<CodeAssistProject> | undefined;

  constructor(options: CodeAssistAccountOptions) {
    this.options = options;
    this.label = options.accountLabel;
  }

  /** Sends one request with this account; account-level failures are returned, others thrown. */
  async chat(request: ChatRequest, signal: AbortSignal): Promise<AccountOutcome> {
    const { api, codec, backendName } = this.options;
    const body = codec.toRequest(request, { backendName, upstreamName: UPSTREAM_NAME });

    let tokens = await this.tokensOrFailure();
    if ('failure' in tokens) return tokens;
    let project = await this.projectFor(tokens, signal);
    if (!project.ok && isUnauthorized(project.failure.error)) {
      tokens = await this.tokensOrFailure(tokens.accessToken);
      if ('failure' in tokens) return tokens;
      project = await this.projectFor(tokens, signal);
    }
    if (!project.ok) return project;

    const envelope = { model: request.model, project: project.project.projectId, user_prompt_id: randomUUID(), request: body };
    const method = request.stream ? 'streamGenerateContent' : 'generateContent';
    let response = await api.post(method, tokens.accessToken, envelope, signal, { stream: request.stream });
    if (response.status === 401) {
      response.discard();
      tokens = await this.tokensOrFailure(tokens.accessToken);
      if ('failure' in tokens) return tokens;
      response = await api.post(method, tokens.accessToken, envelope, signal, { stream: request.stream });
    }

    const responseOptions = { backendName, requestedModel: request.model, upstreamName: UPSTREAM_NAME };
    if (response.status >= 200 && response.status < 300) {
      const contentType = response.headers['content-type'];
      if (typeof contentType === 'string' && contentType.includes('text/event-stream')) {
        const chunks = unwrapChunks(codec.parseEvents(response.events() as AsyncIterable<ServerSentEvent>, responseOptions));
        return { ok: true, result: { type: 'stream', events: codec.readStream(chunks, responseOptions) } };
      }
      const answer = unwrap(await response.json());
      return { ok: true, result: { type: 'response', response: await codec.fromResponse(answer, responseOptions) } };
    }

    const failure = readCodeAssistFailure(codec, response.status, (await readUpstreamErrorBody(response)).text, response.headers, backendName);
    if (failure.kind === 'quota') {
      this.options.logger.warn(`Gemini account ${this.label} hit a ${failure.quota} quota`, {
        backend: backendName,
        resetSeconds: failure.resetSeconds,
      });
      return { ok: false, failure: { kind: 'quota', quota: failure.quota, resetSeconds: failure.resetSeconds, error: failure.error } };
    }
    if (failure.kind === 'verification') {
      return {
        ok: false,
        failure: {
          kind: 'verification',
          validationUrl: failure.validationUrl,
          error: verificationRequiredError(this.options, failure.validationUrl, failure.error.upstreamError.message),
        },
      };
    }
    throw failure.error;
  }

  /** Valid tokens, or the login failure (missing file, refused refresh token) as an account failure. */
  private async tokensOrFailure(rejectedToken?: string): Promise<StoredTokens | { ok: false; failure: { kind: 'login-required'; error: LlmProxyError } }> {
    try {
      return await this.options.tokens.tokens(rejectedToken === undefined ? {} : { rejectedToken });
    } catch (error) {
      if (LlmProxyError.is(error) && (error.details['loginRequired'] === true || error.code === 'GEMINI_CREDENTIALS_MISSING')) {
        return { ok: false, failure: { kind: 'login-required', error } };
      }
      throw error;
    }
  }

  /** The account's project, set up once; a failed setup is tried again by the next request. */
  private async projectFor(tokens: StoredTokens, signal: AbortSignal): Promise<{ ok: true; project: CodeAssistProject } | Extract<AccountOutcome, { ok: false }>> {
    if (this.project !== undefined) {
      try {
        return { ok: true, project: await this.project };
      } catch {
        // The setup another request started failed; this request tries on its own.
      }
    }
    const setup = (async () =>
      setUpCodeAssistProject({
        ...this.options,
        accessToken: tokens.accessToken,
        userProject: await this.options.userProject(),
        signal,
        pollIntervalMs: this.options.onboardPollIntervalMs,
        maxPolls: this.options.maxOnboardPolls,
      }))();
    const pending = setup.then((outcome) => {
      if (outcome.ok) return outcome.project;
      throw outcome.failure.error;
    });
    this.project = pending;
    pending.catch(() => {
      if (this.project === pending) this.project = undefined;
    });
    const outcome = await setup;
    if (outcome.ok) {
      this.options.logger.info(`Gemini account ${this.label} uses Code Assist project ${outcome.project.projectId} (${outcome.project.tierId})`);
    }
    return outcome.ok ? outcome : { ok: false, failure: outcome.failure };
  }
}

function isUnauthorized(error: LlmProxyError): boolean {
  return UpstreamError.is(error) && error.upstreamStatus === 401;
}

/** `{response: {...}, traceId}` → the plain Gemini answer, with the trace id as its response id. */
function unwrap(value: unknown): unknown {
  if (!isRecord(value)) return value;
  const inner = value['response'];
  if (!isRecord(inner)) return value;
  const answer = { ...inner };
  if (answer['responseId'] === undefined && typeof value['traceId'] === 'string') answer['responseId'] = value['traceId'];
  return answer;
}

async function* unwrapChunks(chunks: AsyncIterable<unknown>): AsyncGenerator<unknown> {
  for await (const chunk of chunks) yield unwrap(chunk);
}

/**
 * @fileoverview Finds the Google Cloud project Code Assist bills an account's requests to, the
 * way the Gemini CLI does: `loadCodeAssist`; when the account has no `currentTier` yet,
 * `onboardUser` with the default allowed tier (the free tier must omit the project; other tiers
 * need the user's project) and poll the returned operation until it is `done`.
 *
 * Only a 404, or a "Permission denied on resource project" answer, from these setup calls means
 * the project is missing; a 404 from a generate call means an unknown model and is not handled
 * here.
 */
import { readUpstreamErrorBody } from '@llmproxy/connector-sdk';
import type { GeminiWireCodec } from '@llmproxy/connector-sdk';
import type { AccountFailure } from './account-outcome.js';
import { CLIENT_METADATA, type CodeAssistApi } from './code-assist-api.js';
import {
  ineligibleAccountError,
  projectMissingError,
  verificationRequiredError,
  type AccountErrorContext,
  type IneligibleTier,
} from './code-assist-errors.js';
import { readCodeAssistFailure } from './read-code-assist-failure.js';

const FREE_TIER = 'free-tier';
const LEGACY_TIER = 'legacy-tier';

export interface CodeAssistProject {
  projectId: string;
  tierId: string;
}

export interface ProjectSetupOptions extends AccountErrorContext {
  api: CodeAssistApi;
  codec: GeminiWireCodec;
  accessToken: string;
  /** The user's own project (GOOGLE_CLOUD_PROJECT or configured), if any. */
  userProject: string | undefined;
  signal: AbortSignal;
  /** Wait between operation polls. The Gemini CLI waits 5 seconds. */
  pollIntervalMs: number;
  /** Polls before giving up on an operation that never finishes. */
  maxPolls: number;
}

export type ProjectSetup = { ok: true; project: CodeAssistProject } | { ok: false; failure: AccountFailure };

interface LoadCodeAssistAnswer {
  currentTier?: { id?: string } | null;
  paidTier?: { id?: string } | null;
  allowedTiers?: Array<{ id?: string; isDefault?: boolean }>;
  ineligibleTiers?: IneligibleTier[];
  cloudaicompanionProject?: string | null;
}

interface OperationAnswer {
  name?: string;
  done?: boolean;
  response?: { cloudaicompanionProject?: { id?: string } | null };
  error?: { code?: number; message?: string };
}

export async function setUpCodeAssistProject(options: ProjectSetupOptions): Promise<ProjectSetup> {
  const { api, accessToken, userProject, signal } = options;
  const loaded = await call<LoadCodeAssistAnswer>(options, 'loadCodeAssist', {
    cloudaicompanionProject: userProject,
    metadata: { ...CLIENT_METADATA, duetProject: userProject },
  });
  if (!loaded.ok) return loaded;
  const answer = loaded.value;
  const ineligibleTiers = Array.isArray(answer.ineligibleTiers) ? answer.ineligibleTiers : [];

  if (!answer.currentTier) {
    const validation = ineligibleTiers.find((tier) => tier.reasonCode === 'VALIDATION_REQUIRED' && typeof tier.validationUrl === 'string');
    if (validation !== undefined) {
      return {
        ok: false,
        failure: {
          kind: 'verification',
          validationUrl: validation.validationUrl,
          error: verificationRequiredError(options, validation.validationUrl, validation.reasonMessage ?? 'Account validation required'),
        },
      };
    }
  }

  const tierOf = (fallback: string): string => answer.paidTier?.id ?? answer.currentTier?.id ?? fallback;
  if (answer.currentTier) {
    const projectId = answer.cloudaicompanionProject ?? userProject;
    if (projectId) return { ok: true, project: { projectId, tierId: tierOf(LEGACY_TIER) } };
    return { ok: false, failure: noProject(options, ineligibleTiers) };
  }

  const tier = (answer.allowedTiers ?? []).find((candidate) => candidate.isDefault === true) ?? { id: LEGACY_TIER };
  const tierId = tier.id ?? LEGACY_TIER;
  // The free tier uses a Google-managed project; naming one makes onboardUser fail.
  const onboardRequest =
    tierId === FREE_TIER
      ? { tierId, metadata: CLIENT_METADATA }
      : { tierId, cloudaicompanionProject: userProject, metadata: { ...CLIENT_METADATA, duetProject: userProject } };
  const onboarded = await call<OperationAnswer>(options, 'onboardUser', onboardRequest);
  if (!onboarded.ok) return onboarded;
  let operation = onboarded.value;
  for (let poll = 0; operation.done !== true && typeof operation.name === 'string'; poll += 1) {
    if (poll >= options.maxPolls) {
      return {
        ok: false,
        failure: {
          kind: 'project-missing',
          error: projectMissingError(options, `onboarding (operation ${operation.name}) did not finish after ${options.maxPolls} polls`),
        },
      };
    }
    await delay(options.pollIntervalMs, signal);
    const polled = await read<OperationAnswer>(options, await api.getOperation(operation.name, accessToken, signal));
    if (!polled.ok) return polled;
    operation = polled.value;
  }
  if (operation.error !== undefined) {
    return {
      ok: false,
      failure: { kind: 'project-missing', error: projectMissingError(options, `onboarding failed: ${operation.error.message ?? 'no message'}`) },
    };
  }
  const projectId = operation.response?.cloudaicompanionProject?.id ?? userProject;
  if (projectId) return { ok: true, project: { projectId, tierId } };
  return { ok: false, failure: noProject(options, ineligibleTiers) };
}

/** No project from the server and none from the user: the server's eligibility reasons when it gave any. */
function noProject(options: ProjectSetupOptions, ineligibleTiers: readonly IneligibleTier[]): AccountFailure {
  if (ineligibleTiers.length > 0) return { kind: 'ineligible', error: ineligibleAccountError(options, ineligibleTiers) };
  return { kind: 'project-missing', error: projectMissingError(options, 'this account requires a Google Cloud project and none is set') };
}

type CallResult<T> = { ok: true; value: T } | { ok: false; failure: AccountFailure };

async function call<T>(options: ProjectSetupOptions, method: string, body: unknown): Promise<CallResult<T>> {
  return read<T>(options, await options.api.post(method, options.accessToken, body, options.signal));
}

async function read<T>(options: ProjectSetupOptions, response: Awaited<ReturnType<CodeAssistApi['post']>>): Promise<CallResult<T>> {
  if (response.status >= 200 && response.status < 300) {
    try {
      return { ok: true, value: (await response.json()) as T };
    } catch {
      // An unreadable setup answer reads as an empty one: its fields are each optional.
      return { ok: true, value: {} as T };
    }
  }
  const { text } = await readUpstreamErrorBody(response);
  const failure = readCodeAssistFailure(options.codec, response.status, text, response.headers, options.backendName);
  if (failure.kind === 'verification') {
    return {
      ok: false,
      failure: { kind: 'verification', validationUrl: failure.validationUrl, error: verificationRequiredError(options, failure.validationUrl, failure.error.upstreamError.message) },
    };
  }
  if (failure.kind === 'quota') return { ok: false, failure: { kind: 'quota', quota: failure.quota, resetSeconds: failure.resetSeconds, error: failure.error } };
  if (failure.kind === 'unauthorized') return { ok: false, failure: { kind: 'login-required', error: failure.error } };
  const message = failure.error.upstreamError.message;
  if (response.status === 404 || /Permission denied on resource project/i.test(message)) {
    return { ok: false, failure: { kind: 'project-missing', error: projectMissingError(options, message) } };
  }
  throw failure.error;
}

function delay(milliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, milliseconds);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * @fileoverview One real `llm-proxy` child process in front of three fake upstreams (OpenAI Chat
 * Completions, Anthropic Messages, Gemini) on 127.0.0.1, so one test file can drive every
 * backend from one front-end. The proxy reaches the fakes through the vendors' own environment
 * variables, exactly as a user would configure it.
 */
import { startFakeAnthropicUpstream, type FakeAnthropicUpstream } from '../support/fake-anthropic-upstream.js';
import { startFakeGeminiUpstream, type FakeGeminiUpstream } from '../support/fake-gemini-upstream.js';
import { startFakeOpenAIUpstream, type FakeOpenAIUpstream } from '../support/fake-openai-upstream.js';
import { assertCliBuilt, cleanUpCliRuns, startLlmProxy, type CliResult, type RunningCli } from '../support/run-llm-proxy.js';

/** The built-in API-key backends every front-end is tested against. */
export const MATRIX_BACKENDS = ['openai', 'anthropic', 'gemini'] as const;
export type MatrixBackend = (typeof MATRIX_BACKENDS)[number];

/** The `backend:model` a client asks for to reach each backend. */
export const MATRIX_MODELS: Readonly<Record<MatrixBackend, string>> = {
  openai: 'openai:gpt-4o-mini',
  anthropic: 'anthropic:claude-sonnet-4-5',
  gemini: 'gemini:gemini-2.5-flash',
};

export const MATRIX_CLIENT_KEY = 'client-key-for-translation-matrix';
const OPENAI_KEY = 'sk-openai-upstream-matrix';
const ANTHROPIC_KEY = 'sk-ant-upstream-matrix';
const GEMINI_KEY = 'AIza-gemini-upstream-matrix';
/** Every upstream secret, to check none reaches the proxy's output. */
export const MATRIX_UPSTREAM_KEYS: readonly string[] = [OPENAI_KEY, ANTHROPIC_KEY, GEMINI_KEY];

export interface TranslationMatrix {
  /** The proxy's root URL, `http://127.0.0.1:<port>`. */
  url: string;
  openai: FakeOpenAIUpstream;
  anthropic: FakeAnthropicUpstream;
  gemini: FakeGeminiUpstream;
  /** What the proxy has written so far (its log lines are on stderr). */
  output(): { stdout: string; stderr: string };
  /** Stops the proxy (SIGTERM) and the fakes, removes temporary directories, and returns the proxy's run. */
  stop(): Promise<CliResult>;
}

/** `extraArgs`: more `llm-proxy` flags, e.g. `['--unknown-fields', 'refuse']`. */
export async function startTranslationMatrix(extraArgs: readonly string[] = []): Promise<TranslationMatrix> {
  assertCliBuilt();
  const openai = await startFakeOpenAIUpstream({ apiKey: OPENAI_KEY, models: ['gpt-4o-mini'] });
  const anthropic = await startFakeAnthropicUpstream({ apiKeys: [ANTHROPIC_KEY], models: ['claude-sonnet-4-5'] });
  const gemini = await startFakeGeminiUpstream({ apiKeys: [GEMINI_KEY] });
  let proxy: RunningCli;
  try {
    proxy = await startLlmProxy(['--port', '0', '--api-keys', MATRIX_CLIENT_KEY, '--disable-notifications', ...extraArgs], {
      env: {
        OPENAI_API_KEY: OPENAI_KEY,
        OPENAI_BASE_URL: openai.baseUrl,
        ANTHROPIC_API_KEY: ANTHROPIC_KEY,
        ANTHROPIC_BASE_URL: anthropic.baseUrl,
        GEMINI_API_KEY: GEMINI_KEY,
        GEMINI_BASE_URL: gemini.baseUrl,
      },
    });
  } catch (error) {
    await Promise.all([openai.close(), anthropic.close(), gemini.close()]);
    cleanUpCliRuns();
    throw error;
  }
  return {
    url: proxy.url,
    openai,
    anthropic,
    gemini,
    output: () => proxy.output,
    async stop() {
      const result = await proxy.stop('SIGTERM');
      await Promise.all([openai.close(), anthropic.close(), gemini.close()]);
      cleanUpCliRuns();
      return result;
    },
  };
}

/**
 * @fileoverview What `llm-proxy accounts add` shows while a login waits for the user: where to
 * go, the device code and how long it stays valid, then the host's progress display (a spinner
 * on a terminal) until the login ends either way.
 */
import type { AccountsEnvironment, ProgressIndicator } from '@llmproxy/connector-sdk';
import { describeLifetime } from '../credentials/device-code-lifetime.js';

/** Shows progress from the moment `run` calls `waiting`, and always clears it when `run` ends. */
export async function withLoginProgress<T>(
  environment: AccountsEnvironment,
  run: (waiting: (message: string, expiresAt?: number) => void) => Promise<T>,
): Promise<T> {
  let progress: ProgressIndicator | undefined;
  try {
    return await run((message, expiresAt) => {
      progress?.stop();
      progress = environment.showProgress?.(message, expiresAt === undefined ? {} : { expiresAt });
    });
  } finally {
    progress?.stop();
  }
}

/** The prompt of a device-code login: the URL, the code, its lifetime; then waits with the time left shown. */
export function deviceCodePrompt(
  environment: AccountsEnvironment,
  loginName: string,
  waiting: (message: string, expiresAt?: number) => void,
): (verification: { url: string; userCode: string; expiresInSeconds: number }) => void {
  return ({ url, userCode, expiresInSeconds }) => {
    const expiresAt = Date.now() + expiresInSeconds * 1000;
    environment.print(
      `Open this URL in a browser and approve the ${loginName} login (code ${userCode}):\n${url}\n` +
        `The code stays valid for ${describeLifetime(expiresInSeconds)} (until ${new Date(expiresAt).toLocaleTimeString()}).`,
    );
    environment.openBrowser?.(url);
    waiting('Waiting for approval', expiresAt);
  };
}

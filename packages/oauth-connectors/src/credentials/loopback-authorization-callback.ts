/**
 * @fileoverview The browser half of an OAuth authorization-code login with PKCE, as the vendors'
 * CLIs do it: a one-shot HTTP server on 127.0.0.1 receives the provider's redirect, checks
 * `state`, and hands over the code. Each login module adds its provider's consent URL and code
 * exchange.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Fresh `state` and PKCE (S256) values for one login. */
export interface PkceLogin {
  state: string;
  codeVerifier: string;
  codeChallenge: string;
}

export function newPkceLogin(): PkceLogin {
  const codeVerifier = randomBytes(64).toString('base64url');
  return {
    state: randomBytes(32).toString('base64url'),
    codeVerifier,
    codeChallenge: createHash('sha256').update(codeVerifier).digest('base64url'),
  };
}

export interface LoopbackCallbackOptions {
  /** 0 picks a free port; some providers only accept the port registered for their CLI. */
  port: number;
  callbackPath: string;
  /** The host written into the redirect URI (the provider compares it with its registration). */
  redirectHost: '127.0.0.1' | 'localhost';
  expectedState: string;
  /** Names the provider in failure messages ("Google answered access_denied"). */
  providerName: string;
  timeoutMs: number;
  /** Wraps a failure reason into the caller's error. */
  loginFailed(reason: string): Error;
  /** Said when the port is taken. */
  portInUseHint?: string;
}

export interface LoopbackCallback {
  redirectUri: string;
  /** Resolves with the authorization code; rejects on a refused, forged or missing callback, or at the timeout. */
  code: Promise<string>;
  close(): Promise<void>;
}

export async function startLoopbackCallback(options: LoopbackCallbackOptions): Promise<LoopbackCallback> {
  let settle!: { resolve: (code: string) => void; reject: (error: unknown) => void };
  const code = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== options.callbackPath) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    const failure = callbackFailure(url, options.expectedState, options.providerName);
    if (failure !== undefined) {
      response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end(`Login failed: ${failure}. Return to the terminal.`);
      settle.reject(options.loginFailed(failure));
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('Login complete. You can close this tab and return to the terminal.');
    settle.resolve(url.searchParams.get('code')!);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? options.loginFailed(`port ${options.port} on 127.0.0.1 is in use${options.portInUseHint === undefined ? '' : ` (${options.portInUseHint})`}; free it and try again`)
          : error,
      ),
    );
    server.listen(options.port, '127.0.0.1', resolve);
  });
  const timeout = setTimeout(() => settle.reject(options.loginFailed('no answer from the browser in time')), options.timeoutMs);
  return {
    redirectUri: `http://${options.redirectHost}:${(server.address() as AddressInfo).port}${options.callbackPath}`,
    code,
    async close() {
      clearTimeout(timeout);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Why a callback cannot be accepted, or undefined when it carries a code for this login. */
function callbackFailure(url: URL, expectedState: string, providerName: string): string | undefined {
  const error = url.searchParams.get('error');
  if (error !== null) return `${providerName} answered ${error}${url.searchParams.has('error_description') ? `: ${url.searchParams.get('error_description')}` : ''}`;
  if (url.searchParams.get('state') !== expectedState) return 'the state parameter does not match this login (a stale or forged callback)';
  if (!url.searchParams.get('code')) return 'the callback carries no authorization code';
  return undefined;
}

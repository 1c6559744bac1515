/**
 * @fileoverview What `llm-proxy` prints on standard output once it listens: the listening line
 * (scripts and tests read the port from it, so it stays first and unchanged), the base URL each
 * client family needs with the environment variable that client reads, and the generated key.
 *
 * Each client family appends its own paths: the OpenAI SDK and Codex append `/chat/completions` or
 * `/responses` to a base ending in `/v1`; Claude Code and the Anthropic SDK append `/v1/messages`
 * to the root; Gemini CLI and the Google GenAI SDK append `/v1beta/models/...` to the root. A
 * wrong base is what makes a client fail with a confusing 404 or model error.
 */

/** One client family: who it is, the variable it reads its base URL from, and the path on the proxy. */
interface ClientFamily {
  clients: string;
  variable: string;
  path: string;
}

export const CLIENT_FAMILIES: readonly ClientFamily[] = [
  { clients: 'OpenAI SDK, Codex CLI', variable: 'OPENAI_BASE_URL', path: '/v1' },
  { clients: 'Claude Code, Anthropic SDK', variable: 'ANTHROPIC_BASE_URL', path: '' },
  { clients: 'Gemini CLI, Google GenAI SDK', variable: 'GOOGLE_GEMINI_BASE_URL', path: '' },
];

export interface StartupBannerOptions {
  /** The URL the server listens on, `http://host:port`. */
  listeningUrl: string;
  /** The bound host as configured (`0.0.0.0`, `::`, `127.0.0.1`, a name). */
  host: string;
  port: number;
  generatedApiKey?: string | undefined;
  /** With a separate metrics port: where Prometheus scrapes. */
  metricsUrl?: string | undefined;
  /** With SSO on: where users sign in. */
  signInUrl?: string | undefined;
}

export function formatStartupBanner(options: StartupBannerOptions): string {
  const clientRoot = clientReachableRoot(options.host, options.port);
  const lines = [`llm-proxy listening on ${options.listeningUrl}`];
  lines.push(
    `Base URL for each client${clientRoot.note}; set it in the client's shell, not the proxy's (the proxy reads OPENAI_BASE_URL and ANTHROPIC_BASE_URL for its own backends):`,
  );
  const width = Math.max(...CLIENT_FAMILIES.map((family) => family.clients.length));
  for (const family of CLIENT_FAMILIES) {
    lines.push(`  ${family.clients.padEnd(width)}  ${family.variable}=${clientRoot.url}${family.path}`);
  }
  if (options.generatedApiKey !== undefined) {
    // Printed once, to stdout only: the logger redacts it everywhere else.
    lines.push(
      `Generated API key for this run: ${options.generatedApiKey}`,
      "Use it as the client's key (OPENAI_API_KEY, ANTHROPIC_AUTH_TOKEN or GEMINI_API_KEY; or send it as Authorization: Bearer, x-api-key or x-goog-api-key); set auth.api_keys to choose your own.",
    );
  }
  if (options.metricsUrl !== undefined) lines.push(`llm-proxy metrics on ${options.metricsUrl}`);
  if (options.signInUrl !== undefined) lines.push(`Users sign in for personal proxy tokens at ${options.signInUrl}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The root a client on this machine connects to. A wildcard bind (`0.0.0.0`, `::`) is no address
 * to connect to, so the loopback address of its family stands in, with a note for other machines.
 */
function clientReachableRoot(host: string, port: number): { url: string; note: string } {
  if (host === '0.0.0.0') return { url: `http://127.0.0.1:${port}`, note: ' on this machine (other machines use its address)' };
  if (host === '::' || host === '[::]') return { url: `http://[::1]:${port}`, note: ' on this machine (other machines use its address)' };
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, note: '' };
}

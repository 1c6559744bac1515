/**
 * @fileoverview Reads a provider's client secret from the environment variable or file the
 * settings name. The secret goes to openid-client and nowhere else: not into the settings,
 * not into messages.
 */
import fs from 'node:fs';

import { LlmProxyError } from '@llmproxy/connector-sdk';

import type { SsoProviderSettings } from '../config/proxy-settings.js';

export function readClientSecret(provider: SsoProviderSettings, env: Readonly<Record<string, string | undefined>>): string {
  const source = provider.clientSecret;
  const key = `sso.providers.${provider.id}`;
  if (source === undefined) {
    throw missing(provider, `${key} names no client secret source`, 'Set client_secret_env or client_secret_file');
  }
  if (source.kind === 'env') {
    const secret = env[source.variable]?.trim();
    if (secret === undefined || secret === '') {
      throw missing(
        provider,
        `environment variable ${source.variable} (${key}.client_secret_env) is ${env[source.variable] === undefined ? 'not set' : 'empty'}`,
        `Export ${source.variable} with the client secret issued by the identity provider before starting llm-proxy`,
      );
    }
    return secret;
  }
  let text: string;
  try {
    text = fs.readFileSync(source.path, 'utf8');
  } catch (error) {
    throw missing(
      provider,
      `file ${source.path} (${key}.client_secret_file) cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      'Create the file with the client secret as its only content, readable by the user running llm-proxy',
    );
  }
  const secret = text.trim();
  if (secret === '') {
    throw missing(provider, `file ${source.path} (${key}.client_secret_file) is empty`, 'Write the client secret into the file');
  }
  return secret;
}

function missing(provider: SsoProviderSettings, currentValue: string, fix: string): LlmProxyError {
  return new LlmProxyError({
    code: 'SSO_CLIENT_SECRET_MISSING',
    message: `The client secret of SSO provider ${provider.id} is missing`,
    currentValue,
    fix,
    details: { provider: provider.id },
  });
}

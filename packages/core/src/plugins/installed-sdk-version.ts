/**
 * @fileoverview The version of @llmproxy/connector-sdk that this core runs against: connector
 * manifests declare the SDK range they were built for, and it is checked against this.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { LlmProxyError } from '@llmproxy/connector-sdk';

/** Reads the version from the SDK's package.json as Node resolves it from core. */
export function installedSdkVersion(): string {
  try {
    const packageJsonPath = createRequire(import.meta.url).resolve('@llmproxy/connector-sdk/package.json');
    const packageJson = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { version?: unknown };
    if (typeof packageJson.version !== 'string') throw new Error(`${packageJsonPath} has no version`);
    return packageJson.version;
  } catch (error) {
    throw new LlmProxyError({
      code: 'CONNECTOR_SDK_UNREADABLE',
      message: `The installed @llmproxy/connector-sdk version cannot be read from @llmproxy/core: ${error instanceof Error ? error.message : String(error)}`,
      fix: 'Reinstall @llmproxy/core (npm install @llmproxy/core).',
      cause: error,
    });
  }
}

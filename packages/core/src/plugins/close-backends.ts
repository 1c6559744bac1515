/**
 * @fileoverview Releases what each backend's connector holds (timers, watchers, sockets) at
 * shutdown. One connector failing to close does not stop the others.
 */
import type { AppLogger } from '../logging/app-logger.js';
import type { Backend } from './backend-registry.js';

export async function closeBackends(backends: readonly Backend[], logger: AppLogger): Promise<void> {
  await Promise.all(
    backends.map(async (backend) => {
      try {
        await backend.connector.close?.();
      } catch (error) {
        logger.warn(`Backend "${backend.name}" failed to close: ${error instanceof Error ? error.message : String(error)}`);
      }
    }),
  );
}

/**
 * @fileoverview Checks a presented API key against the configured keys in constant time.
 * Both sides are hashed first so that `timingSafeEqual` always compares equal-length buffers
 * and the comparison time says nothing about a key's length or its matching prefix.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** The index of the key the candidate equals, or undefined when it equals none. */
export type ApiKeyVerifier = (candidate: string) => number | undefined;

export function createApiKeyVerifier(apiKeys: readonly string[]): ApiKeyVerifier {
  const keyDigests = apiKeys.map(digest);
  return (candidate) => {
    const candidateDigest = digest(candidate);
    let matched: number | undefined;
    // Every key is compared, so the time taken does not reveal which key (if any) matched.
    keyDigests.forEach((keyDigest, index) => {
      if (timingSafeEqual(keyDigest, candidateDigest)) matched = index;
    });
    return matched;
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * @fileoverview Checks a presented API key against the configured keys in constant time.
 * Both sides are hashed first so that `timingSafeEqual` always compares equal-length buffers
 * and the comparison time says nothing about a key's length or its matching prefix.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Returns true when the candidate equals one of the keys. */
export type ApiKeyVerifier = (candidate: string) => boolean;

export function createApiKeyVerifier(apiKeys: readonly string[]): ApiKeyVerifier {
  const keyDigests = apiKeys.map(digest);
  return (candidate) => {
    const candidateDigest = digest(candidate);
    let matched = false;
    // Every key is compared, so the time taken does not reveal which key (if any) matched.
    for (const keyDigest of keyDigests) matched = timingSafeEqual(keyDigest, candidateDigest) || matched;
    return matched;
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * @fileoverview A person signed in through an OpenID Connect provider, as the proxy knows them:
 * the stable id requests are attributed to, and the claims the allowed-user rules look at.
 */

export interface SsoUser {
  /** `<provider id>:<subject>`: stable for the person, safe to log, never a credential. */
  id: string;
  providerId: string;
  /** The provider's `sub` claim. */
  subject: string;
  /** Lower-cased. */
  email: string | undefined;
  emailVerified: boolean;
  /** For display only. */
  name: string | undefined;
  groups: readonly string[];
}

/** The user id for a provider's subject. */
export function ssoUserId(providerId: string, subject: string): string {
  return `${providerId}:${subject}`;
}

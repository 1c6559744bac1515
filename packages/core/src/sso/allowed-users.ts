/**
 * @fileoverview Decides whether a signed-in person may use the proxy, from the claims their
 * identity provider vouched for and the provider's `allowed_users` rules. The same decision
 * is taken at sign-in, for every IdP-issued bearer token, and again each time a personal proxy
 * token is used, so narrowing the rules takes effect without revoking tokens one by one.
 */
import type { SsoAllowedUsers, SsoProviderSettings } from '../config/proxy-settings.js';
import { ssoUserId, type SsoUser } from './sso-user.js';

export type AllowedUserDecision = { allowed: true } | { allowed: false; reason: string };

/** The user described by an ID token's, userinfo's or access token's claims, or why it cannot be. */
export function userFromClaims(
  provider: SsoProviderSettings,
  claims: Readonly<Record<string, unknown>>,
): { user: SsoUser } | { problem: string } {
  const subject = claims['sub'];
  if (typeof subject !== 'string' || subject === '') return { problem: 'the token carries no subject (sub claim)' };
  const email = typeof claims['email'] === 'string' && claims['email'] !== '' ? claims['email'].toLowerCase() : undefined;
  const name = firstString(claims['name'], claims['preferred_username'], email);
  return {
    user: {
      id: ssoUserId(provider.id, subject),
      providerId: provider.id,
      subject,
      email,
      // Some providers send the flag as a string.
      emailVerified: claims['email_verified'] === true || claims['email_verified'] === 'true',
      name,
      groups: groupsOf(claims[provider.allowedUsers.groupsClaim]),
    },
  };
}

export function decideAllowedUser(user: SsoUser, rules: SsoAllowedUsers): AllowedUserDecision {
  if (rules.anyUser) return { allowed: true };
  const usableEmail = user.email !== undefined && (user.emailVerified || !rules.requireVerifiedEmail) ? user.email : undefined;
  if (usableEmail !== undefined) {
    if (rules.emails.includes(usableEmail)) return { allowed: true };
    const domain = usableEmail.slice(usableEmail.lastIndexOf('@') + 1);
    if (rules.emailDomains.includes(domain)) return { allowed: true };
  }
  if (rules.groups.some((group) => user.groups.includes(group))) return { allowed: true };
  return { allowed: false, reason: describeRefusal(user, rules) };
}

function describeRefusal(user: SsoUser, rules: SsoAllowedUsers): string {
  const checks: string[] = [];
  if (rules.emails.length > 0 || rules.emailDomains.length > 0) {
    if (user.email === undefined) checks.push('the provider sent no email address');
    else if (!user.emailVerified && rules.requireVerifiedEmail) checks.push(`the email address ${user.email} is not verified by the provider`);
    else checks.push(`the email address ${user.email} is not in an allowed domain or on the list of allowed addresses`);
  }
  if (rules.groups.length > 0) {
    checks.push(
      user.groups.length === 0
        ? `the provider sent no groups (claim ${rules.groupsClaim})`
        : 'none of the account’s groups is an allowed group',
    );
  }
  return checks.join('; ');
}

function groupsOf(value: unknown): string[] {
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}

function firstString(...values: unknown[]): string | undefined {
  return values.find((value): value is string => typeof value === 'string' && value !== '');
}

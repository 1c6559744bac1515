/**
 * @fileoverview The allowed-user rules on their own: email domains and addresses (verified
 * only, unless told otherwise), groups from a configurable claim, and the explicit any_user.
 */
import { describe, expect, it } from '@jest/globals';

import type { SsoAllowedUsers } from '../../src/config/proxy-settings.js';
import { decideAllowedUser, userFromClaims } from '../../src/sso/allowed-users.js';
import { testProvider } from './support/sso-test-setup.js';

const rules = (overrides: Partial<SsoAllowedUsers>): SsoAllowedUsers => ({
  emailDomains: [],
  emails: [],
  groups: [],
  groupsClaim: 'groups',
  requireVerifiedEmail: true,
  anyUser: false,
  ...overrides,
});

function user(claims: Record<string, unknown>, groupsClaim = 'groups') {
  const described = userFromClaims(testProvider('https://id.example.com', { allowedUsers: rules({ groupsClaim }) }), { sub: 'user-1', ...claims });
  if ('problem' in described) throw new Error(described.problem);
  return described.user;
}

describe('allowed users', () => {
  it('describes a user by provider and subject, with a lower-cased email', () => {
    expect(user({ email: 'Ada@Example.COM', email_verified: 'true', preferred_username: 'ada', roles: ['a', 1, 'b'] }, 'roles')).toEqual({
      id: 'test-idp:user-1',
      providerId: 'test-idp',
      subject: 'user-1',
      email: 'ada@example.com',
      emailVerified: true,
      name: 'ada',
      groups: ['a', 'b'],
    });
    expect(userFromClaims(testProvider('https://id.example.com'), { email: 'x@example.com' })).toEqual({ problem: 'the token carries no subject (sub claim)' });
  });

  it('matches whole domains and exact addresses of verified emails', () => {
    const verified = user({ email: 'ada@example.com', email_verified: true });
    expect(decideAllowedUser(verified, rules({ emailDomains: ['example.com'] }))).toEqual({ allowed: true });
    expect(decideAllowedUser(verified, rules({ emails: ['ada@example.com'] }))).toEqual({ allowed: true });
    expect(decideAllowedUser(verified, rules({ emailDomains: ['ample.com', 'sub.example.com'] })).allowed).toBe(false);
    const subdomain = user({ email: 'ada@eu.example.com', email_verified: true });
    expect(decideAllowedUser(subdomain, rules({ emailDomains: ['example.com'] })).allowed).toBe(false);
  });

  it('ignores unverified emails unless verification is not required', () => {
    const unverified = user({ email: 'ada@example.com' });
    expect(decideAllowedUser(unverified, rules({ emailDomains: ['example.com'] }))).toEqual({
      allowed: false,
      reason: 'the email address ada@example.com is not verified by the provider',
    });
    expect(decideAllowedUser(unverified, rules({ emailDomains: ['example.com'], requireVerifiedEmail: false }))).toEqual({ allowed: true });
  });

  it('matches groups from the configured claim, as a list or a single string', () => {
    expect(decideAllowedUser(user({ groups: ['staff', 'llm-users'] }), rules({ groups: ['llm-users'] }))).toEqual({ allowed: true });
    expect(decideAllowedUser(user({ team: 'llm-users' }, 'team'), rules({ groups: ['llm-users'], groupsClaim: 'team' }))).toEqual({ allowed: true });
    expect(decideAllowedUser(user({}), rules({ groups: ['llm-users'] }))).toEqual({ allowed: false, reason: 'the provider sent no groups (claim groups)' });
  });

  it('allows everyone only when any_user says so', () => {
    expect(decideAllowedUser(user({}), rules({ anyUser: true }))).toEqual({ allowed: true });
    expect(decideAllowedUser(user({}), rules({})).allowed).toBe(false);
  });
});

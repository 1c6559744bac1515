/**
 * @fileoverview What is missing or wrong in one SSO provider's settings, found without any
 * network access, so `llm-proxy config explain` and startup report every problem at once.
 */
import type { SsoProviderSettings } from '../config/proxy-settings.js';
import { isLoopbackUrl } from './is-loopback-url.js';

export interface SsoProviderProblem {
  /** The YAML key at fault, e.g. `sso.providers.keycloak.issuer`. */
  key: string;
  /** What is wrong, as a phrase following the key (`is not set`). */
  problem: string;
  fix: string;
}

export function ssoProviderProblems(provider: SsoProviderSettings): SsoProviderProblem[] {
  const prefix = `sso.providers.${provider.id}`;
  const problems: SsoProviderProblem[] = [];

  const issuerProblem = describeIssuerProblem(provider.issuer);
  if (issuerProblem !== undefined) problems.push({ key: `${prefix}.issuer`, ...issuerProblem });

  if (provider.clientId === '') {
    problems.push({
      key: `${prefix}.client_id`,
      problem: 'is not set',
      fix: 'Set client_id to the client id registered for the proxy at the identity provider',
    });
  }
  if (provider.clientSecret === undefined) {
    problems.push({
      key: `${prefix}.client_secret_env`,
      problem: 'and client_secret_file are both unset',
      fix: 'Set client_secret_env to the name of an environment variable holding the client secret, or client_secret_file to a file holding it',
    });
  }
  const allowed = provider.allowedUsers;
  if (!allowed.anyUser && allowed.emailDomains.length === 0 && allowed.emails.length === 0 && allowed.groups.length === 0) {
    problems.push({
      key: `${prefix}.allowed_users`,
      problem: 'allows nobody',
      fix:
        'List who may sign in under allowed_users: email_domains, emails and/or groups ' +
        '(or any_user: true to allow every account of this provider)',
    });
  }
  if (provider.audiences.length === 0 && provider.clientId !== '') {
    problems.push({
      key: `${prefix}.audiences`,
      problem: 'is empty',
      fix: 'Remove audiences to accept bearer tokens issued for the client id, or list the accepted audiences',
    });
  }
  return problems;
}

function describeIssuerProblem(issuer: string): Omit<SsoProviderProblem, 'key'> | undefined {
  if (issuer === '') {
    return {
      problem: 'is not set',
      fix: "Set issuer to the provider's issuer URL, e.g. https://keycloak.example.com/realms/acme (its /.well-known/openid-configuration is read at startup)",
    };
  }
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return { problem: `is not a URL (${JSON.stringify(issuer)})`, fix: 'Set issuer to an https URL' };
  }
  if (url.search !== '' || url.hash !== '') {
    return { problem: `has a query or fragment (${issuer})`, fix: 'An issuer URL has no query string or fragment: remove them' };
  }
  if (url.protocol === 'http:' && !isLoopbackUrl(url)) {
    return {
      problem: `uses plain http on a host that is not loopback (${issuer})`,
      fix: 'Use the https issuer URL; plain http is accepted only for issuers on 127.0.0.1, ::1 or localhost (development and tests)',
    };
  }
  return undefined;
}

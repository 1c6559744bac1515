/**
 * @fileoverview `kiro-oauth-auto`: Kiro (Claude models through AWS) over a pool of Kiro logins
 * in `var/kiro_oauth_accounts/`, parking accounts whose monthly quota is used up. See
 * create-kiro-account-pool-connector.ts for the behaviour and resolve-kiro-settings.ts for the
 * settings.
 */
import { defineConnector } from '@llmproxy/connector-sdk';
import { createKiroAccountPoolConnector } from './create-kiro-account-pool-connector.js';
import { KIRO_OPT_IN_NOTICE } from './kiro-opt-in-notice.js';

export default defineConnector({
  id: 'kiro-oauth-auto',
  hasStaticCredentials: false,
  optInNotice: KIRO_OPT_IN_NOTICE,
  create: (context) => createKiroAccountPoolConnector(context),
});

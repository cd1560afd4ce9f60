/**
 * Approving or denying a pending device authorization without the browser pages: what a person
 * does at the verification URI (RFC 8628 §3.3), done directly on oidc-provider's DeviceCode model.
 * Mirrors oidc-provider 9's own end of the device flow (lib/actions/authorization/device.js,
 * deviceVerificationResponse) and its abort path (lib/actions/code_verification.js).
 */

import type { DeviceCode, Provider } from 'oidc-provider';

import { SUPPORTED_SCOPES } from './accounts.js';

/**
 * The user code as oidc-provider stores it (lib/helpers/user_codes.js `normalize`): ASCII letters
 * upper-cased, everything but [A-Za-z0-9_] dropped. So the displayed 'WDJB-MJHT', 'wdjb-mjht' and
 * 'wdjbmjht' all name the same code; RFC 8628 §6.1 asks servers to be this forgiving.
 */
export function normalizeUserCode(input: string): string {
  return input.replace(/[a-z]/g, (c) => c.toUpperCase()).replace(/\W/g, '');
}

/** Finds a device code still waiting for a decision, or throws saying why it is not. */
async function findPending(provider: Provider, userCode: string): Promise<DeviceCode> {
  const normalized = normalizeUserCode(userCode);
  // ignoreExpiration so an expired code gets its own message, as oidc-provider's own page does.
  const code = normalized === ''
    ? undefined
    : await provider.DeviceCode.findByUserCode(normalized, { ignoreExpiration: true });
  if (!code) {
    throw new Error(`embedded IdP: unknown user code ${JSON.stringify(userCode)}`);
  }
  if (code.isExpired) {
    throw new Error(`embedded IdP: user code ${JSON.stringify(userCode)} has expired`);
  }
  if (code.error !== undefined || code.accountId !== undefined || code.inFlight) {
    throw new Error(`embedded IdP: user code ${JSON.stringify(userCode)} has already been used`);
  }
  return code;
}

/**
 * Approves as `subject`, granting every requested scope the IdP supports (including
 * offline_access, so a refresh token is issued: OIDC Core §11).
 */
export async function approveDeviceCode(provider: Provider, userCode: string, subject: string): Promise<void> {
  if (typeof subject !== 'string' || subject === '') {
    throw new TypeError('embedded IdP: subject must be a non-empty string');
  }
  const code = await findPending(provider, userCode);

  // What the consent screen would grant: the requested scopes this IdP knows (unknown ones are
  // ignored, as oidc-provider's consent prompt does with requestParamOIDCScopes).
  const supported = new Set<string>(SUPPORTED_SCOPES);
  const requestedScope = typeof code.params?.scope === 'string' ? code.params.scope : '';
  const requested = new Set(requestedScope.split(' ').filter((scope) => supported.has(scope)));

  const grant = new provider.Grant({ accountId: subject, clientId: code.clientId });
  if (requested.size > 0) grant.addOIDCScope([...requested].join(' '));
  const grantId = await grant.save();

  // The fields deviceVerificationResponse sets. acr/amr stay unset, as after a devInteractions
  // login; no session exists, so the tokens are not bound to one (no sessionUid/expiresWithSession).
  code.accountId = subject;
  code.authTime = Math.floor(Date.now() / 1000);
  code.grantId = grantId;
  code.scope = grant.getOIDCScopeFiltered(requested);
  await code.save();
}

/** Denies: the next token request gets `access_denied` (RFC 8628 §3.5). */
export async function denyDeviceCode(provider: Provider, userCode: string): Promise<void> {
  const code = await findPending(provider, userCode);
  // The same values oidc-provider records when the person presses "abort".
  code.error = 'access_denied';
  code.errorDescription = 'End-User aborted interaction';
  await code.save();
}

/**
 * Made-up accounts for the embedded IdP: every subject exists, with deterministic claims, so tests
 * and the demo can sign in as anyone without a user database.
 */

import { createHash } from 'node:crypto';

export interface AccountClaims {
  sub: string;
  name: string;
  email: string;
  email_verified: boolean;
  phone_number: string;
}

/**
 * Which claims each scope releases (OpenID Connect Core 1.0 §5.4). oidc-provider filters the
 * claims returned by `findAccount` through this mapping, per token and per endpoint.
 */
export const SCOPE_CLAIMS = {
  openid: ['sub'],
  profile: ['name'],
  email: ['email', 'email_verified'],
  phone: ['phone_number'],
} as const;

export const SUPPORTED_SCOPES = ['openid', 'profile', 'email', 'phone', 'offline_access'] as const;

/** Fixed names; `taro` has one in a script the OLED's font cannot draw (issue #16: the screen falls back to the email). */
const KNOWN_NAMES: Record<string, string> = { alice: 'Alice Example', bob: 'Bob Example', taro: '山田太郎' };

export function accountClaims(sub: string): AccountClaims {
  const digest = createHash('sha256').update(sub).digest();
  // Exchange 555, lines 0100-0199 are reserved for fiction in North America; E.164 per OIDC Core §5.1.
  const phoneSuffix = String((digest[0] ?? 0) % 100).padStart(2, '0');
  const local = sub.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '') || 'user';
  return {
    sub,
    name: KNOWN_NAMES[sub] ?? `${titleCase(local)} Example`,
    email: `${local}@example.com`,
    email_verified: true,
    phone_number: `+120255501${phoneSuffix}`,
  };
}

function titleCase(local: string): string {
  return local
    .split(/[._-]+/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

/** oidc-provider's `findAccount` configuration: any subject is a valid account. */
export async function findAccount(_ctx: unknown, sub: string): Promise<{
  accountId: string;
  claims: () => Promise<AccountClaims>;
}> {
  return {
    accountId: sub,
    claims: async () => accountClaims(sub),
  };
}

/**
 * The words a person reads for a `failed` state (issue #16): what went wrong, in terms of what to check,
 * instead of the protocol's own message. Each line fits two 21-character lines, the room a 128x32 panel has.
 * The reason itself stays in the state, the log and `status` for whoever fixes it.
 */

/** Recognised causes, most specific first: the reason text is matched, since it is all the state keeps. */
const WORDS: readonly (readonly [RegExp, string])[] = [
  // ID token checks (OIDC Core §3.1.3.7): the provider answered, but not as the configured one.
  [/ID token rejected:.*("iss"|issuer)/i, 'ID token rejected: wrong issuer'],
  [/ID token rejected:.*("aud"|"azp"|audience)/i, 'ID token rejected: wrong audience'],
  [/ID token rejected:.*signature/i, 'ID token rejected: bad signature'],
  [/ID token rejected:.*"sub"/i, 'ID token rejected: another account'],
  [/ID token rejected:.*(jwks|algorithm)/i, 'ID token cannot be checked: see the log'],
  [/ID token rejected/i, 'ID token rejected: see the log'],
  // OAuth error codes (RFC 6749 §5.2, RFC 8628 §3.2).
  [/\binvalid_client\b/, "Server rejected this device's client_id"],
  [/\bunauthorized_client\b/, 'client_id not allowed to pair devices'],
  [/\binvalid_scope\b/, 'Server refused the scope in the config'],
  [/\bunsupported_grant_type\b/, 'Server does not offer device pairing'],
  [/\binvalid_request\b/, 'Server rejected the request: see the log'],
  [/\bHTTP 404\b/, 'No pairing endpoint: check the config'],
];

/** A sentence for the screen; the raw reason when it is none of the known causes. */
export function explainFailure(reason: string): string {
  return WORDS.find(([pattern]) => pattern.test(reason))?.[1] ?? reason;
}

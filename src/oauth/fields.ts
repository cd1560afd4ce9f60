/**
 * Pure field-by-field checks of response members, with precise messages
 * (oauth4webapi: `"response" body "device_code" property must be a string`).
 *
 * Tolerance rules, from what real providers send: numbers may come as decimal strings (form-encoded
 * answers have nothing else), `null` counts as absent for optional members, unknown members are kept
 * aside. Secret members are described by type only, never quoted.
 */
import { OAuthError, ProtocolError } from '../errors.js';
import { endpointUrlProblem } from '../net/url-policy.js';
import { describeBody } from './body.js';
import type { HttpResponse } from './types.js';

export type Members = Record<string, unknown>;

/** Members whose values must never appear in messages or logs. */
const SECRET_MEMBERS = new Set(['device_code', 'access_token', 'refresh_token', 'id_token', 'client_secret']);

function shown(name: string, value: unknown): string {
  if (SECRET_MEMBERS.has(name)) return value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 60 ? `${json.slice(0, 60)}…` : json;
}

function fail(name: string, requirement: string, value: unknown, status: number | undefined): never {
  const got = value === undefined ? 'it is missing' : `got ${shown(name, value)}`;
  throw new ProtocolError(name, `response body "${name}" ${requirement}; ${got}`, status);
}

/** The body as an object of members, or a ProtocolError naming what came instead. */
export function membersOf(response: HttpResponse): Members {
  const { body } = response;
  if (body.kind === 'form') return body.value;
  if (body.kind === 'json' && typeof body.value === 'object' && body.value !== null && !Array.isArray(body.value)) {
    return body.value as Members;
  }
  throw new ProtocolError('body', `expected a JSON object, got ${describeBody(body)} (HTTP ${response.status})`, response.status);
}

export interface StringRule {
  maxLength: number;
  /** Reject C0/C1 control characters (for text shown on screen or put in headers). */
  printable?: boolean;
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export function requiredString(m: Members, name: string, rule: StringRule, status?: number): string {
  const value = m[name];
  if (typeof value !== 'string' || value.length === 0) fail(name, 'must be a non-empty string', value, status);
  if (value.length > rule.maxLength) {
    throw new ProtocolError(name, `response body "${name}" must be at most ${rule.maxLength} characters; got ${value.length}`, status);
  }
  if (rule.printable && CONTROL.test(value)) fail(name, 'must not contain control characters', value, status);
  return value;
}

export function optionalString(m: Members, name: string, rule: StringRule, status?: number): string | undefined {
  if (m[name] === undefined || m[name] === null) return undefined;
  return requiredString(m, name, rule, status);
}

export interface SecondsRule {
  min: number;
  max: number;
}

/** A whole number of seconds, as a JSON number or a decimal string (`"900"`). */
export function requiredSeconds(m: Members, name: string, rule: SecondsRule, status?: number): number {
  const raw = m[name];
  const value = typeof raw === 'string' && /^\d{1,12}$/.test(raw.trim()) ? Number(raw.trim()) : raw;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < rule.min || value > rule.max) {
    fail(name, `must be a whole number of seconds from ${rule.min} to ${rule.max}`, raw, status);
  }
  return value;
}

export function optionalSeconds(m: Members, name: string, rule: SecondsRule, status?: number): number | undefined {
  if (m[name] === undefined || m[name] === null) return undefined;
  return requiredSeconds(m, name, rule, status);
}

/** An https:// URL (http:// only on loopback): never `javascript:`, `data:` or the like. */
export function requiredUrl(m: Members, name: string, maxLength: number, status?: number): string {
  const value = requiredString(m, name, { maxLength, printable: true }, status);
  const problem = endpointUrlProblem(value);
  if (problem !== undefined) throw new ProtocolError(name, `response body "${name}" ${problem}`, status);
  return value;
}

export function optionalUrl(m: Members, name: string, maxLength: number, status?: number): string | undefined {
  // An empty string is read as "not provided": seen for verification_uri_complete.
  if (m[name] === undefined || m[name] === null || m[name] === '') return undefined;
  return requiredUrl(m, name, maxLength, status);
}

/** The members not in `known`, for `extra`. */
export function extraMembers(m: Members, known: ReadonlySet<string>): Members {
  return Object.fromEntries(Object.entries(m).filter(([k]) => !known.has(k)));
}

/** RFC 6749 §5.2: `error` is NQSCHAR (printable ASCII without `"` and `\`). */
const ERROR_CODE = /^[\x20\x21\x23-\x5b\x5d-\x7e]{1,128}$/;
const MAX_DESCRIPTION = 500;

function cleanText(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const text = value.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION)}…` : text;
}

/**
 * The OAuth error in a response, if its body has an `error` member, whatever the status
 * (providers send `authorization_pending` with 400, 401, 403, 428 and 200).
 * @see RFC 6749 §5.2
 */
export function oauthErrorOf(response: HttpResponse): OAuthError | undefined {
  const { body } = response;
  let m: Members;
  if (body.kind === 'form') m = body.value;
  else if (body.kind === 'json' && typeof body.value === 'object' && body.value !== null && !Array.isArray(body.value)) m = body.value as Members;
  else return undefined;
  if (m.error === undefined || m.error === null) return undefined;
  if (typeof m.error !== 'string' || !ERROR_CODE.test(m.error)) {
    fail('error', 'must be an OAuth error code (printable ASCII)', m.error, response.status);
  }
  return new OAuthError(response.status, m.error, cleanText(m.error_description), cleanText(m.error_uri));
}

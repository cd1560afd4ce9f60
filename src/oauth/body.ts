/**
 * Pure parsing of response bodies: JSON, or form-encoded (GitHub answers
 * `application/x-www-form-urlencoded` unless asked otherwise), or a reason why neither.
 */
import type { ParsedBody } from './types.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The media type without parameters, lower-cased: `application/json; charset=utf-8` → `application/json`. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

function isJsonType(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json');
}

/** A body is sniffed as form-encoded only if it is a plain `key=value&…` sequence. */
const FORM_LIKE = /^[A-Za-z0-9_.~%+-]+=[^\s<>]*(&[A-Za-z0-9_.~%+-]+=[^\s<>]*)*$/;

function parseJson(text: string, contentType: string): ParsedBody {
  try {
    return { kind: 'json', value: JSON.parse(text) as unknown };
  } catch {
    return { kind: 'unparseable', contentType, reason: 'malformed or truncated JSON' };
  }
}

function parseForm(text: string): ParsedBody {
  const value: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    if (!(k in value)) value[k] = v;
  }
  return { kind: 'form', value };
}

/**
 * Parses a response body by its `Content-Type`, sniffing when the type is missing or generic
 * (`text/plain`, `application/octet-stream`). Never throws.
 */
export function parseBody(contentType: string | undefined, bytes: Uint8Array): ParsedBody {
  const type = mediaType(contentType);
  if (bytes.length === 0) return { kind: 'empty' };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { kind: 'unparseable', contentType: type, reason: 'not UTF-8 text' };
  }
  if (text.trim() === '') return { kind: 'empty' };
  if (isJsonType(type)) return parseJson(text, type);
  if (type === 'application/x-www-form-urlencoded') return parseForm(text.trim());
  if (type === 'text/html' || type === 'application/xhtml+xml') {
    return { kind: 'unparseable', contentType: type, reason: 'an HTML page' };
  }
  if (type === '' || type === 'text/plain' || type === 'application/octet-stream') {
    const trimmed = text.trim();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) return parseJson(trimmed, type);
    if (FORM_LIKE.test(trimmed)) return parseForm(trimmed);
    if (/^<(!doctype|html)/i.test(trimmed)) return { kind: 'unparseable', contentType: type, reason: 'an HTML page' };
  }
  return { kind: 'unparseable', contentType: type, reason: `unexpected content type ${JSON.stringify(type || 'none')}` };
}

/** Human description of a body for error messages; never includes the content itself. */
export function describeBody(body: ParsedBody): string {
  switch (body.kind) {
    case 'json':
      return Array.isArray(body.value) ? 'a JSON array' : body.value === null ? 'JSON null' : `a JSON ${typeof body.value}`;
    case 'form':
      return 'a form-encoded body';
    case 'empty':
      return 'an empty body';
    case 'unparseable':
      return body.reason;
  }
}

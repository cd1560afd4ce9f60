/**
 * Text from the network made safe to print, log or draw (issue #13). An ID token's `name`, a
 * `user_code`, an `error_description` are the provider's to choose: raw, an ESC sequence rewrites the
 * terminal (its title, its screen), bidi controls reorder what a person reads, zero-width characters
 * hide inside a code. Each such character becomes a visible `\u{…}` escape, so nothing is silently
 * dropped and nothing is interpreted.
 *
 * - C0 controls U+0000–U+001F and DEL U+007F, C1 controls U+0080–U+009F (U+009B is CSI to many
 *   terminals);
 * - bidi controls: U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069 (Unicode UAX #9);
 * - zero-width and invisible format characters: U+180E, U+200B–U+200D, U+2060–U+2064, U+FEFF;
 * - line and paragraph separators U+2028, U+2029; lone surrogates (not text at all).
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const escape = (c: string) => `\\u{${c.charCodeAt(0).toString(16)}}`;

/** `text` with every control, bidi and zero-width character escaped as `\u{…}`. */
export function printable(text: string): string {
  return text.replace(UNSAFE, escape);
}

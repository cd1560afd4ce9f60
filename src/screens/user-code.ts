/**
 * Breaking a user code into lines. RFC 8628 §3.3.1: the device MUST show the user_code, and the user types
 * or compares it character by character, so a code is never shortened: every character, separators
 * included, appears exactly once, in order, and `lines.join('')` is the code.
 */

/** Runs of code characters with the separators that follow them: "WDJB-MJHT" → ["WDJB-", "MJHT"]. */
const GROUP = /[^\s-]+[\s-]*|[\s-]+/g;

/** Splits a group too long for any line into near-equal chunks: 8 on 5-wide lines → 4 + 4, not 5 + 3. */
function chunk(group: string, maxChars: number): string[] {
  const chars = [...group];
  const count = Math.ceil(chars.length / maxChars);
  const size = Math.ceil(chars.length / count);
  const chunks: string[] = [];
  for (let at = 0; at < chars.length; at += size) chunks.push(chars.slice(at, at + size).join(''));
  return chunks;
}

/**
 * Lays `code` out on at most `maxLines` lines of at most `maxChars` characters, breaking after its hyphens
 * (or spaces) first and inside a group only when a group alone is too long. The hyphen stays at the end of
 * the line it ends, so nothing is dropped. Undefined when the code can't fit, so the caller tries a smaller
 * scale or a wider area instead of cutting it.
 */
export function splitUserCode(code: string, maxChars: number, maxLines: number): string[] | undefined {
  if (maxChars <= 0 || maxLines <= 0) return undefined;
  if ([...code].length <= maxChars) return [code];

  const pieces = (code.match(GROUP) ?? []).flatMap((group) =>
    [...group].length > maxChars ? chunk(group, maxChars) : [group],
  );
  // Greedy filling gives the fewest lines for pieces that must stay in order.
  const lines: string[] = [];
  for (const piece of pieces) {
    const last = lines.at(-1);
    if (last !== undefined && [...last].length + [...piece].length <= maxChars) {
      lines[lines.length - 1] = last + piece;
    } else {
      lines.push(piece);
    }
  }
  return lines.length <= maxLines ? lines : undefined;
}

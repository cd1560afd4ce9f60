/**
 * Where a JSON text stops being JSON (RFC 8259), for messages that point to a line and column
 * (issue #15). V8's JSON.parse says "at position N" for some errors only, and for others quotes the
 * text around the error instead, which a message must not repeat (config files hold secrets).
 */

class Stop {
  constructor(readonly at: number) {}
}

const NUMBER_OR_LITERAL = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
const HEX4 = /[0-9a-fA-F]{4}/y;

/** The index of the first character that is not valid JSON there (`text.length` if it ends too early), or -1. */
export function jsonErrorIndex(text: string): number {
  let i = 0;
  const stop = (): never => {
    throw new Stop(i);
  };
  const space = () => {
    while (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r') i++;
  };
  const string = () => {
    i++;
    for (;;) {
      const c = text[i];
      if (c === undefined || c < ' ') stop();
      if (c === '"') {
        i++;
        return;
      }
      if (c !== '\\') {
        i++;
        continue;
      }
      i++;
      const e = text[i];
      if (e === 'u') {
        HEX4.lastIndex = i + 1;
        if (!HEX4.test(text)) stop();
        i += 5;
      } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i++;
      else stop();
    }
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '"') return string();
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      space();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          space();
          if (text[i] !== '"') stop();
          string();
          space();
          if (text[i] !== ':') stop();
          i++;
        }
        value();
        space();
        if (text[i] === ',') i++;
        else if (text[i] === close) {
          i++;
          return;
        } else stop();
      }
    }
    NUMBER_OR_LITERAL.lastIndex = i;
    const m = NUMBER_OR_LITERAL.exec(text);
    if (m === null) stop();
    else i += m[0].length;
  };
  try {
    value();
    space();
    if (i < text.length) stop();
    return -1;
  } catch (error) {
    if (error instanceof Stop) return error.at;
    throw error;
  }
}

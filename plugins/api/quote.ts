/**
 * Go's `%q` / `strconv.Quote`, which Pixiecore uses to write string values
 * of the deprecated cmdline object (`k="v"`) and the argument of
 * `{{ URL "…" }}`. The output is a double-quoted Go string literal: `"` and
 * `\` are escaped, printable characters stay as they are, `\a \b \f \n \r \t
 * \v` use their short escapes, other control characters become `\xNN`, and
 * other non-printable characters `\uNNNN` / `\UNNNNNNNN`.
 */

const SHORT: Readonly<Record<string, string>> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** Quote `s` exactly as Go's `strconv.Quote` would. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const short = SHORT[ch];
    if (short !== undefined) {
      out += short;
      continue;
    }
    const cp = ch.codePointAt(0)!;
    // A lone UTF-16 surrogate cannot come out of Go's JSON decoder: it decodes to U+FFFD.
    if (cp >= 0xd800 && cp <= 0xdfff) out += '\ufffd';
    else if (PRINTABLE.test(ch)) out += ch;
    else if (cp < 0x80) out += `\\x${hex(cp, 2)}`;
    else if (cp < 0x10000) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return `${out}"`;
}

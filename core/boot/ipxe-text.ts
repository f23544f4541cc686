/**
 * Putting untrusted text into an iPXE script safely.
 *
 * iPXE splits a script line into whitespace-separated words *before* it
 * expands `${setting}` references, then ends a command at a word that is
 * exactly `||`, `&&` or `;` and drops everything from a word starting with
 * `#` (a comment). It has no quoting. So a word such as `#x` or `;` is written
 * as `${}#x` / `${};`: the empty setting expands to nothing, after the
 * command has already been split, and the kernel sees the word unchanged.
 * `${…}` in user text is left alone on purpose: iPXE expands it, and people
 * use that (`BOOTIF=${mac}`), as with Pixiecore. Line breaks and other
 * control characters cannot be expressed and are refused.
 */
import { PixieError } from '../errors.js';

const SPECIAL_WORDS: ReadonlySet<string> = new Set(['||', '&&', ';']);
// Tab and space separate words; every other C0 control character or DEL is refused.
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
const CONTROL_ALL = /[\x00-\x08\x0a-\x1f\x7f]/g;

/** One word, made safe as an iPXE argument. */
export function ipxeWord(word: string): string {
  return word.startsWith('#') || SPECIAL_WORDS.has(word) ? `\${}${word}` : word;
}

/**
 * Words of `text` (split on spaces and tabs), each made safe, joined by one
 * space — which is also how iPXE rebuilds a command line from its words.
 * Throws PIXIE_ERR_TEMPLATE naming `what` for control characters.
 */
export function ipxeArgs(text: string, what: string): string {
  const bad = CONTROL.exec(text);
  if (bad) {
    const code = bad[0].charCodeAt(0).toString(16).padStart(2, '0');
    throw new PixieError('PIXIE_ERR_TEMPLATE', `Invalid ${what}: it contains control character 0x${code} at offset ${bad.index}, which an iPXE script cannot carry.`);
  }
  return text
    .split(/[ \t]+/)
    .filter((w) => w !== '')
    .map(ipxeWord)
    .join(' ');
}

/**
 * `echo` lines showing `message` (one per line of the message). Control
 * characters are dropped: a message is for people, it should never stop a boot.
 */
export function ipxeEcho(message: string): string[] {
  return message.split(/\r?\n/).map((line) => {
    const args = ipxeArgs(line.replace(CONTROL_ALL, ''), 'message');
    if (args === '') return 'echo';
    // `echo` parses options; "--" keeps a leading "-word" as text.
    return args.startsWith('-') ? `echo -- ${args}` : `echo ${args}`;
  });
}

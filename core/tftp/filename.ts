/**
 * Requested-name safety (pure). TFTP names are netascii (RFC 1350 §5), so
 * anything outside printable ASCII is refused, and so is every way of
 * escaping the served tree: absolute names, `..` segments, backslashes
 * (Windows separators), NUL and names longer than {@link MAX_FILENAME_LENGTH}.
 * Taps of `tftp:request` only ever see a checked, normalised name.
 */

/** Longest name accepted, in bytes. Boot file names are short; this bounds logs and lookups. */
export const MAX_FILENAME_LENGTH = 255;

export type FilenameCheck = { readonly ok: true; readonly name: string } | { readonly ok: false; readonly reason: string };

/**
 * Check and normalise a requested name: `a//b` and `./a/./b` become `a/b`.
 * A leading `/` is refused rather than stripped, so a name never means two
 * different things to two taps.
 */
export function checkFilename(raw: string): FilenameCheck {
  if (raw.length === 0) return { ok: false, reason: 'empty name' };
  if (raw.length > MAX_FILENAME_LENGTH) return { ok: false, reason: `name longer than ${MAX_FILENAME_LENGTH} bytes` };
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0) return { ok: false, reason: 'NUL in name' };
    if (c < 0x20 || c > 0x7e) return { ok: false, reason: 'non-printable character in name' };
    if (c === 0x5c) return { ok: false, reason: 'backslash in name' };
  }
  if (raw.startsWith('/')) return { ok: false, reason: 'absolute name' };
  const parts: string[] = [];
  for (const part of raw.split('/')) {
    if (part === '..') return { ok: false, reason: 'parent-directory (..) segment' };
    if (part === '' || part === '.') continue;
    parts.push(part);
  }
  if (parts.length === 0) return { ok: false, reason: 'name has no file part' };
  return { ok: true, name: parts.join('/') };
}

/** Render an untrusted name for a log line: printable ASCII kept, the rest as \xNN, capped. */
export function printableName(raw: string, max = 120): string {
  let out = '';
  for (let i = 0; i < raw.length && out.length < max; i++) {
    const c = raw.charCodeAt(i);
    out += c >= 0x20 && c <= 0x7e && c !== 0x5c ? raw[i] : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return raw.length > max ? `${out}…` : out;
}

/**
 * The kernel command line of an API response.
 *
 * A string `cmdline` is a template in which `{{ URL "u" }}` marks a file the
 * machine should fetch through pixie. Relative `u` resolve against
 * `<base>/v1` like every other URL of the response, so they are resolved
 * here and the template is written back with absolute URLs; the core turns
 * each into a signed pixie URL when it renders the iPXE script. As in
 * Pixiecore's API mode, `{{ ID "…" }}` (static mode's function) is refused:
 * in API mode it would let the API name files on the pixie host.
 *
 * The deprecated object form renders as Pixiecore renders it: keys sorted
 * (byte order), a string value as `key="value"` (Go quoting), a boolean as
 * the bare `key` (Pixiecore does this for `false` too), `{"url": "u"}` as
 * `key={{ URL "u" }}`; any other value is an error.
 */
import { parseTemplate } from '../../core/boot/template.js';
import { goQuote } from './quote.js';
import { resolveUrl } from './url.js';

export type CmdlineResult = { ok: true; cmdline: string } | { ok: false; reason: string };

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** Render the deprecated object form to a cmdline template. */
export function objectCmdline(obj: Readonly<Record<string, unknown>>): CmdlineResult {
  const words: string[] = [];
  for (const key of Object.keys(obj).sort(byteOrder)) {
    const v = obj[key];
    if (typeof v === 'boolean') words.push(key);
    else if (typeof v === 'string') words.push(`${key}=${goQuote(v)}`);
    else if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const url = (v as Record<string, unknown>).url;
      if (typeof url !== 'string') return { ok: false, reason: `cmdline key "${key}" is an object without a string "url"` };
      words.push(`${key}={{ URL ${goQuote(url)} }}`);
    } else {
      const kind = v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`;
      return { ok: false, reason: `cmdline key "${key}" is ${kind}; values must be strings, booleans or {"url": "…"}` };
    }
  }
  return { ok: true, cmdline: words.join(' ') };
}

/**
 * Check a cmdline template from the API and make its `URL` arguments
 * absolute (against `prefix`, the `<base>/v1` URL).
 */
export function absoluteCmdline(source: string, prefix: string): CmdlineResult {
  let parsed;
  try {
    parsed = parseTemplate(source, { what: 'cmdline template' });
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
  let out = '';
  for (const part of parsed.parts) {
    if (part.kind === 'text') {
      out += part.text;
      continue;
    }
    if (part.kind !== 'call' || part.fn !== 'URL') {
      return { ok: false, reason: 'the cmdline uses {{ ID "…" }}, which API mode does not offer; use {{ URL "…" }}' };
    }
    const r = resolveUrl(prefix, part.arg);
    if (!r.ok) return { ok: false, reason: `bad URL in the cmdline: ${r.reason}` };
    out += `{{ URL ${goQuote(r.url)} }}`;
  }
  return { ok: true, cmdline: out };
}

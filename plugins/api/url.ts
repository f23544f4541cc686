/**
 * URLs of the boot API, built the way Pixiecore builds them:
 *
 * - the request URL is plain string concatenation: `/` is appended to the
 *   base when missing, then `v1/boot/<mac>` (so a base with a query string
 *   swallows the rest into the query, exactly as in Pixiecore);
 * - URLs in a response that have no scheme are resolved against
 *   `<base>/v1` with the reference resolution algorithm of RFC 3986 §5.2
 *   (as Go's `net/url` `ResolveReference` does). So `/x` lands at the
 *   server root, `x` and `./x` next to `v1` (under the base), `../x` one
 *   level above the base, and `//host/x` on another host with the same scheme.
 *
 * Pure string functions, no WHATWG `URL`: that parser rewrites hosts, ports
 * and backslashes in ways neither RFC 3986 nor Pixiecore do.
 */

/** `<base>/v1` (the base of every relative URL in a response). */
export function apiPrefix(base: string): string {
  return `${base.endsWith('/') ? base : `${base}/`}v1`;
}

/** Extra query parameters pixie may add (opt-in, not part of Pixiecore's API). */
export interface BootQuery {
  readonly arch?: string | undefined;
  readonly firmware?: string | undefined;
}

/** `GET` URL asking the API about one machine: `<prefix>/boot/<mac>[?arch=…&firmware=…]`. */
export function bootRequestUrl(prefix: string, mac: string, query: BootQuery = {}): string {
  const url = `${prefix}/boot/${mac}`;
  const params = Object.entries(query)
    .filter((e): e is [string, string] => typeof e[1] === 'string')
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
  if (params.length === 0) return url;
  return `${url}${url.includes('?') ? '&' : '?'}${params.join('&')}`;
}

/** The five components of a URI reference (RFC 3986 §3); `undefined` = component absent. */
interface Parts {
  scheme?: string | undefined;
  authority?: string | undefined;
  path: string;
  query?: string | undefined;
  fragment?: string | undefined;
}

// RFC 3986 Appendix B, with the scheme tightened to §3.1's grammar (a letter first).
const REFERENCE = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s;

/** Why a string cannot be used as a URL, or undefined when it can. */
function problem(ref: string, p: Parts): string | undefined {
  if (/[\x00-\x1f\x7f]/.test(ref)) return 'it contains a control character';
  if (/%(?![0-9A-Fa-f]{2})/.test(`${p.authority ?? ''}${p.path}${p.fragment ?? ''}`)) return 'it contains a "%" that does not start a %XX escape';
  if (p.scheme === undefined) {
    if (ref.startsWith(':')) return 'it has no scheme before ":"';
    // §4.2: a relative-path reference cannot have a colon in its first segment.
    if (p.authority === undefined && /^[^/]*:/.test(p.path)) return 'its first path segment contains ":" (write ./ before it)';
  }
  if (p.authority !== undefined) {
    const host = p.authority.slice(p.authority.lastIndexOf('@') + 1);
    const port = host.startsWith('[') ? host.slice(host.indexOf(']') + 1) : host.slice(host.indexOf(':') < 0 ? host.length : host.indexOf(':'));
    if (host.startsWith('[') && !host.includes(']')) return 'its IPv6 host is missing "]"';
    if (port !== '' && !/^:\d*$/.test(port)) return `its port "${port.slice(1)}" is not a number`;
  }
  return undefined;
}

function split(ref: string): Parts {
  const m = REFERENCE.exec(ref)!; // every string matches: all groups are optional
  return { scheme: m[1], authority: m[2], path: m[3] ?? '', query: m[4], fragment: m[5] };
}

function join(p: Parts): string {
  let out = '';
  if (p.scheme !== undefined) out += `${p.scheme}:`;
  if (p.authority !== undefined) out += `//${p.authority}`;
  out += p.path;
  if (p.query !== undefined) out += `?${p.query}`;
  if (p.fragment !== undefined) out += `#${p.fragment}`;
  return out;
}

/** RFC 3986 §5.2.4: remove `.` and `..` segments. */
export function removeDotSegments(path: string): string {
  const out: string[] = [];
  const segments = path.split('/');
  // For an absolute path the first (empty) segment is the root: never pop it.
  const keep = path.startsWith('/') ? 1 : 0;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    const last = i === segments.length - 1;
    if (s === '.' || s === '..') {
      if (s === '..' && out.length > keep) out.pop();
      // A trailing "." or ".." names a directory: keep the slash.
      if (last) out.push('');
      continue;
    }
    out.push(s);
  }
  const joined = out.join('/');
  return path.startsWith('/') && !joined.startsWith('/') ? `/${joined}` : joined;
}

/** RFC 3986 §5.2.3: merge a relative path with the base path. */
function merge(base: Parts, path: string): string {
  if (base.authority !== undefined && base.path === '') return `/${path}`;
  return base.path.slice(0, base.path.lastIndexOf('/') + 1) + path;
}

export type Resolved = { ok: true; url: string } | { ok: false; reason: string };

/**
 * Resolve a URL from an API response against `base` (the `<base>/v1`
 * prefix). Absolute URLs are returned as they are (scheme lower-cased).
 */
export function resolveUrl(base: string, ref: string): Resolved {
  const r = split(ref);
  const bad = problem(ref, r);
  if (bad) return { ok: false, reason: `"${ref}" is not a URL: ${bad}` };
  if (r.scheme !== undefined) return { ok: true, url: join({ ...r, scheme: r.scheme.toLowerCase(), path: removeDotSegments(r.path) }) };
  const b = split(base);
  if (b.scheme === undefined) return { ok: false, reason: `the API base "${base}" has no scheme` };
  let t: Parts;
  if (r.authority !== undefined) {
    t = { ...r, path: removeDotSegments(r.path) };
  } else if (r.path === '') {
    // As Go does: an empty path keeps the base's query, and its fragment when none is given.
    t = { authority: b.authority, path: b.path, query: r.query ?? b.query, fragment: r.query === undefined && r.fragment === undefined ? b.fragment : r.fragment };
  } else {
    const path = r.path.startsWith('/') ? r.path : merge(b, r.path);
    t = { authority: b.authority, path: removeDotSegments(path), query: r.query, fragment: r.fragment };
  }
  return { ok: true, url: join({ ...t, scheme: b.scheme.toLowerCase() }) };
}

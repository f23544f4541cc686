/**
 * Cmdline and script templates, a small Go-template-like language:
 *
 *   console=ttyS0 cfg={{ ID "./cloud.yml" }} img={{ URL `https://x/y.img` }}
 *
 * An action is `{{ FN "arg" }}` (FN = `ID` or `URL`, the argument a
 * double-quoted string with Go escapes or a backtick raw string) or, in iPXE
 * script templates only, `{{ .Name }}`. Whitespace inside the braces is free,
 * and Go's trim markers (`{{- ` and ` -}}`) remove the whitespace next to an
 * action. Anything else is an error that names line and column.
 *
 * Both `ID` (Pixiecore's static mode) and `URL` (its API mode) are accepted
 * everywhere: each turns a file reference into an absolute, signed pixie URL.
 */
import { PixieError } from '../errors.js';

export type TemplateFn = 'ID' | 'URL';

export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'call'; readonly fn: TemplateFn; readonly arg: string; readonly offset: number }
  | { readonly kind: 'var'; readonly name: string; readonly offset: number };

export interface ParsedTemplate {
  readonly source: string;
  readonly parts: readonly TemplatePart[];
  /** Every file reference the template names, in order (for start-up checks). */
  readonly refs: readonly string[];
}

export interface ParseOptions {
  /** What is being parsed, for error messages (default `template`). */
  what?: string;
  /** Variable names `{{ .Name }}` may use (default: none, variables are an error). */
  variables?: readonly string[];
}

const FUNCTIONS: ReadonlySet<string> = new Set<TemplateFn>(['ID', 'URL']);
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"',
};

/** `line L, column C` of an offset (both 1-based). */
export function positionOf(source: string, offset: number): string {
  let line = 1;
  let col = 1;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source[i] === '\n') {
      line++;
      col = 1;
    } else col++;
  }
  return `line ${line}, column ${col}`;
}

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';

class Scanner {
  pos: number;
  constructor(
    readonly src: string,
    start: number,
    readonly what: string,
  ) {
    this.pos = start;
  }
  fail(message: string, at = this.pos): never {
    throw new PixieError('PIXIE_ERR_TEMPLATE', `Invalid ${this.what} at ${positionOf(this.src, at)}: ${message}.`);
  }
  skipSpace() {
    while (isSpace(this.src[this.pos])) this.pos++;
  }
  found(): string {
    if (this.pos >= this.src.length) return 'the end of the text';
    if (this.src.startsWith('}}', this.pos)) return '"}}"';
    return JSON.stringify(this.src.slice(this.pos).match(/^\S{1,12}/)?.[0] ?? this.src[this.pos]);
  }
  word(): string {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.src.slice(this.pos, this.pos + 64));
    if (!m) return '';
    this.pos += m[0].length;
    return m[0];
  }
  /** A Go string literal: "interpreted" or `raw`. */
  string(): string {
    const quote = this.src[this.pos];
    const start = this.pos;
    if (quote === '`') {
      const end = this.src.indexOf('`', start + 1);
      if (end < 0) this.fail('unterminated raw string (missing closing backtick)', start);
      this.pos = end + 1;
      return this.src.slice(start + 1, end).replace(/\r/g, '');
    }
    if (quote !== '"') this.fail(`expected a quoted string ("…" or \`…\`), found ${this.found()}`);
    let out = '';
    for (this.pos++; ; ) {
      const c = this.src[this.pos];
      if (c === undefined || c === '\n') this.fail('unterminated string (missing closing ")', start);
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c !== '\\') {
        out += c;
        this.pos++;
        continue;
      }
      out += this.escape();
    }
  }
  private escape(): string {
    const at = this.pos;
    const e = this.src[this.pos + 1] ?? '';
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      this.pos += 2;
      return simple;
    }
    const hex = (digits: number, skip: number) => {
      const h = this.src.slice(this.pos + skip, this.pos + skip + digits);
      if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(h)) this.fail(`invalid escape \\${e}: needs ${digits} hex digits`, at);
      this.pos += skip + digits;
      return parseInt(h, 16);
    };
    if (e === 'x') return String.fromCharCode(hex(2, 2));
    if (e === 'u' || e === 'U') {
      const cp = hex(e === 'u' ? 4 : 8, 2);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) this.fail(`invalid escape: U+${cp.toString(16)} is not a character`, at);
      return String.fromCodePoint(cp);
    }
    if (/[0-7]/.test(e)) {
      const o = this.src.slice(this.pos + 1, this.pos + 4);
      if (!/^[0-7]{3}$/.test(o) || parseInt(o, 8) > 255) this.fail('invalid octal escape: needs 3 octal digits (\\000-\\377)', at);
      this.pos += 4;
      return String.fromCharCode(parseInt(o, 8));
    }
    return this.fail(`unknown escape \\${e}`, at);
  }
}

/**
 * Parse a template. Throws PixieError `PIXIE_ERR_TEMPLATE` with the position
 * of the first problem.
 */
export function parseTemplate(source: string, opts: ParseOptions = {}): ParsedTemplate {
  const what = opts.what ?? 'template';
  const vars = new Set(opts.variables ?? []);
  const parts: TemplatePart[] = [];
  const refs: string[] = [];
  let text = '';
  let i = 0;
  let trimNext = false;
  for (;;) {
    const open = source.indexOf('{{', i);
    let chunk = source.slice(i, open < 0 ? undefined : open);
    if (trimNext) chunk = chunk.replace(/^[ \t\r\n]+/, '');
    if (open < 0) {
      text += chunk;
      break;
    }
    const trimBefore = source[open + 2] === '-' && isSpace(source[open + 3]);
    if (trimBefore) chunk = chunk.replace(/[ \t\r\n]+$/, '');
    text += chunk;
    const s = new Scanner(source, open + (trimBefore ? 3 : 2), what);
    s.skipSpace();
    const at = s.pos;
    let part: TemplatePart;
    if (source[s.pos] === '.') {
      s.pos++;
      const name = s.word();
      if (!name) s.fail(`expected a variable name after ".", found ${s.found()}`);
      if (!vars.has(name)) {
        s.fail(vars.size ? `unknown variable .${name} (known: ${[...vars].map((v) => `.${v}`).join(', ')})` : `variables such as .${name} are not available here; use {{ ID "file" }} or {{ URL "url" }}`, at);
      }
      part = { kind: 'var', name, offset: at };
    } else {
      const fn = s.word();
      if (!fn) s.fail(`expected ID "…", URL "…"${vars.size ? ' or .Variable' : ''} after "{{", found ${s.found()}`);
      if (!FUNCTIONS.has(fn)) s.fail(`unknown function ${fn} (use ID or URL)`, at);
      if (!isSpace(source[s.pos])) s.fail(`expected a space and a quoted string after ${fn}, found ${s.found()}`);
      s.skipSpace();
      const arg = s.string();
      if (arg === '') s.fail(`${fn} needs a non-empty file reference`, at);
      part = { kind: 'call', fn: fn as TemplateFn, arg, offset: at };
      refs.push(arg);
    }
    s.skipSpace();
    let trimAfter = false;
    if (source[s.pos] === '-' && isSpace(source[s.pos - 1]) && source.startsWith('}}', s.pos + 1)) {
      trimAfter = true;
      s.pos++;
    }
    if (!source.startsWith('}}', s.pos)) s.fail(`expected "}}" to close the action, found ${s.found()}`);
    if (text) parts.push({ kind: 'text', text });
    text = '';
    parts.push(part);
    i = s.pos + 2;
    trimNext = trimAfter;
  }
  if (text) parts.push({ kind: 'text', text });
  return { source, parts, refs };
}

export interface RenderFns {
  /** Value of `{{ ID "ref" }}` / `{{ URL "ref" }}`. */
  call(fn: TemplateFn, ref: string): string;
  /** Value of `{{ .Name }}`. */
  variable?(name: string): string;
}

/** Render a parsed template (no trimming, no checks). */
export function renderTemplate(t: ParsedTemplate, fns: RenderFns): string {
  let out = '';
  for (const p of t.parts) {
    if (p.kind === 'text') out += p.text;
    else if (p.kind === 'call') out += fns.call(p.fn, p.arg);
    else out += fns.variable?.(p.name) ?? '';
  }
  return out;
}

const CMDLINE_CACHE_MAX = 256;
const cmdlineCache = new Map<string, ParsedTemplate>();

/** Parse a kernel cmdline template, remembering recent results (cmdlines repeat per boot). */
export function parseCmdline(source: string): ParsedTemplate {
  let t = cmdlineCache.get(source);
  if (!t) {
    t = parseTemplate(source, { what: 'cmdline template' });
    if (cmdlineCache.size >= CMDLINE_CACHE_MAX) cmdlineCache.delete(cmdlineCache.keys().next().value!);
    cmdlineCache.set(source, t);
  }
  return t;
}

/**
 * Expand a kernel cmdline: every `ID`/`URL` becomes `urlFor(ref)`, the result
 * is trimmed, and a newline left inside is an error (as in Pixiecore).
 */
export function renderCmdline(source: string, urlFor: (ref: string, fn: TemplateFn) => string): string {
  const out = renderTemplate(parseCmdline(source), { call: (fn, ref) => urlFor(ref, fn) }).trim();
  if (/[\r\n]/.test(out)) throw new PixieError('PIXIE_ERR_TEMPLATE', 'Invalid cmdline: it contains a newline after expansion; a kernel command line is one line.');
  return out;
}

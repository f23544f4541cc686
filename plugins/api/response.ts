/**
 * Decoding a boot API v1 response body into a BootSpec (pure: no I/O).
 *
 * Wire format (Pixiecore README.api.md, and its Go decoder):
 *
 *   { "kernel": "url", "initrd": ["url", …], "cmdline": "…" | {…},
 *     "message": "…", "ipxe-script": "…" }
 *
 * Compatibility details kept from Go's `encoding/json`: field names match
 * case-insensitively (`"Kernel"` works, the last matching key wins), unknown
 * fields are ignored, `null` means "not given". A non-empty `ipxe-script`
 * wins over everything else and is served verbatim. pixie is stricter in one
 * place: without `ipxe-script`, `kernel` must be a non-empty string
 * (Pixiecore would boot the `<base>/v1` URL itself).
 */
import { z } from 'zod';
import type { BootSpec } from '../../core/boot/spec.js';
import { absoluteCmdline, objectCmdline } from './cmdline.js';
import { resolveUrl } from './url.js';

/** Why a response was refused, as a log line's `reason` field. */
export type RefusalKind = 'json' | 'schema' | 'url' | 'cmdline';

export type Decoded = { ok: true; spec: BootSpec } | { ok: false; kind: RefusalKind; reason: string };

const FIELDS = ['kernel', 'initrd', 'cmdline', 'message', 'ipxe-script'] as const;

const str = z.string().nullish();
/** The response after field-name folding. */
export const bootResponseSchema = z.object({
  kernel: str,
  initrd: z.array(z.string().nullable()).nullish(),
  cmdline: z.unknown().optional(),
  message: str,
  'ipxe-script': str,
});

export type BootResponse = z.output<typeof bootResponseSchema>;

/** Pick the known fields out of a JSON object the way Go's decoder matches names. */
function foldFields(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    const field = FIELDS.find((f) => f === key) ?? FIELDS.find((f) => f === key.toLowerCase());
    if (field) out[field] = value;
  }
  return out;
}

function describeIssues(err: z.ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`)
    .join('; ');
}

/** Parse and validate a body; `prefix` is `<base>/v1`, for relative URLs. */
export function decodeBootResponse(body: string, prefix: string): Decoded {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    return { ok: false, kind: 'json', reason: `the body is not valid JSON (${(err as Error).message})` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    const what = json === null ? 'null' : Array.isArray(json) ? 'an array' : `a ${typeof json}`;
    return { ok: false, kind: 'schema', reason: `the body is ${what}, not a JSON object` };
  }
  const parsed = bootResponseSchema.safeParse(foldFields(json as Record<string, unknown>));
  if (!parsed.success) return { ok: false, kind: 'schema', reason: `the body does not match the boot API v1 format: ${describeIssues(parsed.error)}` };
  return toBootSpec(parsed.data, prefix);
}

/** Turn a validated response into a BootSpec with absolute URLs. */
export function toBootSpec(r: BootResponse, prefix: string): Decoded {
  const script = r['ipxe-script'];
  if (script) return { ok: true, spec: { ipxeScript: script } };
  if (!r.kernel) return { ok: false, kind: 'schema', reason: 'the body has neither a "kernel" nor an "ipxe-script"' };

  const urls: string[] = [];
  for (const [i, ref] of [r.kernel, ...(r.initrd ?? []).map((x) => x ?? '')].entries()) {
    const what = i === 0 ? 'kernel' : `initrd[${i - 1}]`;
    if (ref === '') return { ok: false, kind: 'schema', reason: `${what} is empty` };
    const u = resolveUrl(prefix, ref);
    if (!u.ok) return { ok: false, kind: 'url', reason: `${what}: ${u.reason}` };
    urls.push(u.url);
  }

  let cmdline: string | undefined;
  const c = r.cmdline;
  if (typeof c === 'string') cmdline = c;
  else if (typeof c === 'object' && c !== null && !Array.isArray(c)) {
    const o = objectCmdline(c as Record<string, unknown>);
    if (!o.ok) return { ok: false, kind: 'cmdline', reason: o.reason };
    cmdline = o.cmdline;
  } else if (c !== undefined && c !== null) {
    return { ok: false, kind: 'schema', reason: `cmdline must be a string or an object, not ${Array.isArray(c) ? 'an array' : `a ${typeof c}`}` };
  }
  if (cmdline) {
    const a = absoluteCmdline(cmdline, prefix);
    if (!a.ok) return { ok: false, kind: 'cmdline', reason: a.reason };
    cmdline = a.cmdline;
  }

  const [kernel, ...initrd] = urls;
  const spec: BootSpec = { kernel, initrd };
  if (cmdline) spec.cmdline = cmdline;
  if (r.message) spec.message = r.message;
  return { ok: true, spec };
}

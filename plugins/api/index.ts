/**
 * `api` — `pixie api <url>`: asks an HTTP API what each machine boots,
 * speaking Pixiecore's boot API v1 (`GET <url>/v1/boot/<mac>`, see
 * docs/plugins/api.md). A 200 JSON answer becomes the machine's BootSpec;
 * anything else — another status, a timeout, a transport error, a body that
 * is not JSON, does not match the format or is over 1 MiB — means the
 * machine is ignored, with one log line saying which and why.
 *
 * pixie asks `boot:decide` at several steps of one boot; the core's decision
 * cache makes that one API request per boot.
 */
import { z } from 'zod';
import { definePlugin } from '../../core/plugin.js';
import { normalizeMac } from '../../core/boot/machine.js';
import { renderCmdline } from '../../core/boot/template.js';
import { ipxeArgs } from '../../core/boot/ipxe-text.js';
import { parseDurationMs } from '../../cli/duration.js';
import { fetchBootResponse } from './client.js';
import { decodeBootResponse } from './response.js';
import { apiPrefix, bootRequestUrl } from './url.js';

export { decodeBootResponse } from './response.js';
export { apiPrefix, bootRequestUrl, resolveUrl } from './url.js';

/** Bodies larger than this are refused (a boot answer is a few hundred bytes). */
export const MAX_BODY_BYTES = 1024 * 1024;

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Parse `Name: value` lines (or an object) into request headers. */
function toHeaders(input: readonly string[] | Readonly<Record<string, string>>, ctx: z.RefinementCtx): Record<string, string> {
  const pairs: Array<[string, string]> = Array.isArray(input)
    ? (input as readonly string[]).map((line) => {
        const at = line.indexOf(':');
        return at < 0 ? [line, '\0'] : [line.slice(0, at).trim(), line.slice(at + 1).trim()];
      })
    : Object.entries(input);
  const out: Record<string, string> = {};
  for (const [name, value] of pairs) {
    if (value === '\0') ctx.addIssue({ code: 'custom', message: `header "${name}" must look like 'Name: value'` });
    else if (!TOKEN.test(name)) ctx.addIssue({ code: 'custom', message: `"${name}" is not a valid header name` });
    else if (/[\r\n\0]/.test(value)) ctx.addIssue({ code: 'custom', message: `header "${name}" has a line break or NUL in its value` });
    else out[name] = value;
  }
  return out;
}

export const apiOptions = z
  .object({
    /** Base URL of the API; requests go to `<url>/v1/boot/<mac>`. */
    url: z.string().regex(/^https?:\/\/[^/?#]/i, 'an http:// or https:// URL'),
    /** Timeout for the whole request: milliseconds, or a duration such as "5s". */
    timeoutMs: z
      .union([z.number(), z.string()])
      .transform((v, ctx) => {
        const ms = typeof v === 'number' ? v : parseDurationMs(v);
        if (ms === undefined || !Number.isFinite(ms) || ms <= 0) {
          ctx.addIssue({ code: 'custom', message: `a positive duration such as 5000 or "5s", not ${JSON.stringify(v)}` });
          return z.NEVER;
        }
        return Math.round(ms);
      })
      .default(5000),
    /** Extra request headers: `['Authorization: Bearer …']` or `{ Authorization: 'Bearer …' }`. */
    headers: z
      .union([z.array(z.string()), z.record(z.string(), z.string())])
      .default([])
      .transform(toHeaders),
    /** Add `?arch=<x64|arm64|…>&firmware=<bios|efi>` to requests (not part of Pixiecore's API). */
    sendArch: z.boolean().default(false),
  })
  .strict();

export type ApiOptions = z.output<typeof apiOptions>;

/** The URL without `user:password@`, for logs. */
const redact = (url: string) => url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1');

export default definePlugin<ApiOptions>({
  name: 'api',
  description: 'asks an HTTP API what each machine boots (Pixiecore boot API v1)',
  options: apiOptions,
  setup(ctx) {
    const { url, timeoutMs, headers, sendArch } = ctx.options;
    const prefix = apiPrefix(url);
    ctx.log.debug({ url: redact(url), timeoutMs, sendArch, headers: Object.keys(headers) }, 'boot API client ready');

    // In-flight requests, aborted when pixie stops (one listener, not one per request).
    const inFlight = new Set<AbortController>();
    ctx.signal.addEventListener('abort', () => {
      for (const c of inFlight) c.abort();
    }, { once: true });

    ctx.tap('boot:decide', async (machine) => {
      const mac = normalizeMac(machine.mac) ?? machine.mac;
      const reqUrl = bootRequestUrl(prefix, mac, sendArch ? { arch: machine.arch, firmware: machine.firmware } : {});
      const shown = redact(reqUrl);
      const abort = new AbortController();
      if (ctx.signal.aborted) abort.abort();
      inFlight.add(abort);
      const got = await fetchBootResponse(reqUrl, { timeoutMs, maxBytes: MAX_BODY_BYTES, headers, signal: abort.signal, userAgent: 'pixie (boot API v1)' }).finally(() =>
        inFlight.delete(abort),
      );
      if (!got.ok) {
        const fields = { mac, url: shown, reason: got.kind, status: got.status, ms: got.ms };
        if (got.kind === 'aborted') ctx.log.debug(fields, `machine ignored: ${got.reason}`);
        // 404 is how many APIs say "not one of mine": normal, not a warning.
        else if (got.status === 404) ctx.log.info(fields, `machine ignored: ${got.reason} (GET ${shown})`);
        else ctx.log.warn(fields, `machine ignored: ${got.reason} (GET ${shown})`);
        // Only a 404 is the API's answer; timeouts, 5xx and transport errors may pass, so ask again next time.
        if (got.status !== 404) ctx.core.dontCache(machine);
        return null;
      }
      const decoded = decodeBootResponse(got.body, prefix);
      if (!decoded.ok) {
        ctx.log.warn({ mac, url: shown, reason: decoded.kind, ms: got.ms }, `machine ignored: bad API response: ${decoded.reason} (GET ${shown})`);
        return null;
      }
      const spec = decoded.spec;
      if (spec.cmdline) {
        // A dry run catches what only shows after expansion (newlines, control characters).
        try {
          ipxeArgs(renderCmdline(spec.cmdline, () => 'http://0.0.0.0/'), 'cmdline');
        } catch (err) {
          ctx.log.warn({ mac, url: shown, reason: 'cmdline', ms: got.ms }, `machine ignored: bad API response: ${(err as Error).message} (GET ${shown})`);
          return null;
        }
      }
      ctx.log.debug({ mac, ms: got.ms, kernel: spec.kernel, ipxeScript: spec.ipxeScript !== undefined }, 'the boot API answered');
      return spec;
    });
  },
});

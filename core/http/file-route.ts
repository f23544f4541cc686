/**
 * `/_/file?name=<id>`: a file behind a signed ID, resolved through
 * `file:resolve`; `/_/firmware/<name>`: the iPXE binaries, for UEFI HTTP Boot
 * clients that fetch their boot file over HTTP instead of TFTP.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FileRequest } from '../hooks.js';
import type { FileSource } from '../boot/spec.js';
import { normalizeMac } from '../boot/machine.js';
import { localFileSource } from '../files/local.js';
import { sendSource, type SendResult } from './send.js';
import { replyText, clientAddress } from './reply.js';
import { causeCode } from './ipxe-route.js';
import { cachedSource } from './small-files.js';
import type { RouteContext } from './context.js';

const KINDS: ReadonlySet<string> = new Set(['kernel', 'initrd']);

/** HTTP answers for file sources that fail with a known code (anything else: 500). */
const RESOLVE_ERRORS: Readonly<Record<string, readonly [number, string]>> = {
  PIXIE_ERR_UPSTREAM: [502, 'upstream file source failed'],
  PIXIE_ERR_NOT_FOUND: [404, 'file not found'],
  PIXIE_ERR_FORBIDDEN: [403, 'file source refused access'],
};

/** Serve `source`, then report `file:served` (and log a stream failure at debug level). */
async function serve(
  { pixie }: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  source: FileSource,
  request: FileRequest,
  startedAt: number,
  body?: Buffer,
): Promise<SendResult | undefined> {
  let result: SendResult;
  try {
    result = await sendSource(req, res, source, 'application/octet-stream', body);
  } catch (err) {
    pixie.log.error({ err, file: source.description }, `cannot open ${source.description ?? 'file'}: ${(err as Error).message}`);
    replyText(res, 500, 'cannot read the file');
    return undefined;
  }
  if (result.error) {
    pixie.log.debug({ mac: request.mac, file: source.description, bytes: result.bytes, err: result.error }, `transfer ended early: ${result.error.message}`);
  }
  pixie.events.emit('file:served', { kind: request.kind, mac: request.mac, bytes: result.bytes, durationMs: Date.now() - startedAt, status: result.status });
  return result;
}

export async function handleFile(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
  const { pixie } = ctx;
  const startedAt = Date.now();
  const id = query.get('name') ?? '';
  const ref = id ? ctx.openId(id) : undefined;
  if (ref === undefined) {
    pixie.log.warn({ client: clientAddress(res) }, `refused /_/file: ${id ? 'invalid or tampered file ID' : 'no name= given'}`);
    replyText(res, 403, 'invalid file ID');
    return;
  }
  const type = query.get('type') ?? '';
  const request: FileRequest = {
    kind: KINDS.has(type) ? (type as 'kernel' | 'initrd') : 'file',
    mac: normalizeMac(query.get('mac') ?? ''),
  };
  // file:resolve taps see (ref, kind, mac): a cached answer is only reused for the same three.
  const key = `${request.kind}|${request.mac ?? ''}|${ref}`;
  const hit = ctx.small.fresh(key);
  let source: FileSource | undefined = hit && cachedSource(hit);
  let body = hit?.body;
  if (!source) {
    try {
      source = await pixie.resolveFile(ref, request);
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      const [status, text] = RESOLVE_ERRORS[causeCode(error) ?? ''] ?? [500, 'cannot resolve the file'];
      pixie.log.error({ mac: request.mac, kind: request.kind, err: error }, `cannot serve a file (${request.kind}): ${error.message}`);
      pixie.events.emit('error', { where: 'file:resolve', error });
      replyText(res, status, text);
      return;
    }
    if (!source) {
      // The ID is genuine, so the log may say which reference is missing; the client never learns it.
      pixie.log.warn({ mac: request.mac, kind: request.kind, ref }, `file not found: ${ref}`);
      replyText(res, 404, 'file not found');
      return;
    }
    if (ctx.small.eligible(source)) {
      const cached = await ctx.small.get(key, source).catch(() => undefined);
      if (cached) {
        source = cachedSource(cached);
        body = cached.body;
      }
    }
  }
  const result = await serve(ctx, req, res, source, request, startedAt, body);
  if (request.kind === 'kernel' && request.mac && req.method === 'GET' && result && !result.error && result.status < 300 && result.start === 0) {
    pixie.events.emit('machine:booting', { machine: { mac: request.mac } });
  }
}

export async function handleFirmware(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
  const startedAt = Date.now();
  const path = ctx.pixie.ipxe.pathForName(name);
  // EDK2's HTTP Boot recognises EFI images by this content type (or the .efi suffix).
  const source = path ? await localFileSource(path, name.endsWith('.efi') ? 'application/efi' : 'application/octet-stream') : undefined;
  if (!source) {
    // iPXE started by UEFI HTTP Boot looks for autoexec.ipxe next to itself: expected, not worth a warning.
    const level = name === 'autoexec.ipxe' ? 'debug' : 'warn';
    ctx.pixie.log[level]({ client: clientAddress(res), name }, `no iPXE binary named ${JSON.stringify(name)} for HTTP boot`);
    replyText(res, 404, 'no such boot file');
    return;
  }
  await serve(ctx, req, res, source, { kind: 'ipxe' }, startedAt);
}

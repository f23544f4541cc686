/**
 * Sending a FileSource over HTTP: Content-Length always (iPXE crawls without
 * it), HEAD, one byte range (206/416), conditional GET, and streaming through
 * `pipeline` so memory stays flat whatever the file size.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { FileSource } from '../boot/spec.js';
import { parseRange } from './range.js';

export interface SendResult {
  readonly status: number;
  /** Body bytes written (0 for HEAD, 304, 416). */
  readonly bytes: number;
  /** First byte offset served (0 unless a range started later). */
  readonly start: number;
  /** Set when streaming failed after the headers went out (client gone, source error). */
  readonly error?: Error | undefined;
}

/** Does an `If-None-Match` list match `etag` (weak comparison, RFC 9110 §13.1.2)? */
function noneMatch(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  const want = bare(etag);
  return header.split(',').some((t) => bare(t) === want);
}

/** `If-Range` still matches the current representation (strong comparison, §13.1.5)? */
function ifRangeMatches(header: string, source: FileSource): boolean {
  const v = header.trim();
  if (v.startsWith('"')) return source.etag !== undefined && !source.etag.startsWith('W/') && v === source.etag;
  if (v.startsWith('W/')) return false;
  const date = Date.parse(v);
  return source.lastModified !== undefined && !Number.isNaN(date) && Math.floor(source.lastModified.getTime() / 1000) * 1000 === date;
}

/**
 * Answer `req` with `source` (or with `body`, its bytes already in memory).
 * Only a failure to open the source throws; stream failures come back in `error`.
 */
export async function sendSource(
  req: IncomingMessage,
  res: ServerResponse,
  source: FileSource,
  contentType = 'application/octet-stream',
  body?: Buffer,
): Promise<SendResult> {
  const size = source.size;
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Content-Type', source.contentType ?? contentType);
  if (source.etag) res.setHeader('ETag', source.etag);
  if (source.lastModified) res.setHeader('Last-Modified', source.lastModified.toUTCString());

  const inm = req.headers['if-none-match'];
  if (inm !== undefined && source.etag && noneMatch(inm, source.etag)) {
    res.statusCode = 304;
    res.end();
    return { status: 304, bytes: 0, start: 0 };
  }

  const ifRange = req.headers['if-range'];
  const range = typeof ifRange === 'string' && !ifRangeMatches(ifRange, source) ? ({ kind: 'full' } as const) : parseRange(req.headers.range, size);
  if (range.kind === 'unsatisfiable') {
    res.statusCode = 416;
    res.setHeader('Content-Range', `bytes */${size}`);
    res.setHeader('Content-Length', 0);
    res.end();
    return { status: 416, bytes: 0, start: 0 };
  }
  const partial = range.kind === 'partial' ? range.range : undefined;
  const length = partial ? partial.end - partial.start + 1 : size;
  const status = partial ? 206 : 200;
  res.statusCode = status;
  res.setHeader('Content-Length', length);
  if (partial) res.setHeader('Content-Range', `bytes ${partial.start}-${partial.end}/${size}`);
  const start = partial?.start ?? 0;

  if (req.method === 'HEAD' || length === 0) {
    res.end();
    return { status, bytes: 0, start };
  }
  if (body) {
    res.end(partial ? body.subarray(partial.start, partial.end + 1) : body);
    return { status, bytes: length, start };
  }
  const stream = await source.open(partial);
  let bytes = 0;
  stream.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  try {
    await pipeline(stream, res);
    return { status, bytes, start };
  } catch (err) {
    return { status, bytes, start, error: err instanceof Error ? err : new Error(String(err)) };
  }
}

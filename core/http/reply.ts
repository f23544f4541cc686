/** Small, pre-encoded plain-text replies for the HTTP routes. */
import type { ServerResponse } from 'node:http';

const TEXT = 'text/plain; charset=utf-8';

/** Send a short text body (a trailing newline is added). Safe to call after a failed stream. */
export function replyText(res: ServerResponse, status: number, text: string, headers: Readonly<Record<string, string>> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = Buffer.from(`${text}\n`, 'utf8');
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  res.writeHead(status, { 'Content-Type': TEXT, 'Content-Length': body.length, 'Cache-Control': 'no-store', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/** The client address of a request, without the IPv4-mapped IPv6 prefix. */
export const clientAddress = (res: ServerResponse): string => stripMapped(res.req.socket.remoteAddress ?? '');

/** `::ffff:10.0.0.1` → `10.0.0.1`. */
export const stripMapped = (a: string): string => (a.startsWith('::ffff:') ? a.slice(7) : a);

/**
 * A boot API server for tests, on 127.0.0.1 and a free port. Each request is
 * answered by the `Reply` the handler returns: a status and body, or one of
 * the misbehaviours real servers have (never answering, dripping the body,
 * dropping the connection).
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** A string, a Buffer, or a value sent as JSON. */
  body?: unknown;
  /** Send headers, then never finish. */
  hang?: boolean;
  /** Send headers, then `chunk` every `everyMs`, `count` times, then end. */
  drip?: { chunk: string; everyMs: number; count: number };
  /** Drop the connection without answering. */
  reset?: boolean;
  /** Stream this many bytes of JSON-ish filler (no Content-Length). */
  streamBytes?: number;
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export interface ApiServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly port: number;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

function sendBody(res: ServerResponse, r: Reply): void {
  const body = r.body === undefined ? '' : typeof r.body === 'string' || Buffer.isBuffer(r.body) ? r.body : JSON.stringify(r.body);
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  res.writeHead(r.status ?? 200, { 'content-type': 'application/json', 'content-length': String(buf.length), ...r.headers });
  res.end(buf);
}

export async function startApiServer(handler: (url: string) => Reply | undefined): Promise<ApiServer> {
  const requests: SeenRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    requests.push({ method: req.method ?? '', url, headers: req.headers });
    const r = handler(url) ?? { status: 404, body: 'no such test route' };
    if (r.reset) {
      req.socket.destroy();
      return;
    }
    if (r.hang) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      return;
    }
    if (r.drip) {
      const { chunk, everyMs, count } = r.drip;
      res.writeHead(200, { 'content-type': 'application/json' });
      let sent = 0;
      const timer = setInterval(() => {
        if (res.destroyed || sent >= count) {
          clearInterval(timer);
          timers.delete(timer);
          if (!res.destroyed) res.end();
          return;
        }
        res.write(chunk);
        sent++;
      }, everyMs);
      timers.add(timer);
      return;
    }
    if (r.streamBytes !== undefined) {
      res.writeHead(200, { 'content-type': 'application/json' });
      const piece = Buffer.alloc(64 * 1024, 0x20);
      let left = r.streamBytes;
      const pump = () => {
        while (left > 0 && !res.destroyed) {
          const n = Math.min(left, piece.length);
          left -= n;
          if (!res.write(piece.subarray(0, n))) {
            res.once('drain', pump);
            return;
          }
        }
        if (!res.destroyed) res.end();
      };
      pump();
      return;
    }
    sendBody(res, r);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    async close() {
      for (const t of timers) clearInterval(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

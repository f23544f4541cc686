/**
 * A webhook receiver on 127.0.0.1 for tests. It records every request (raw
 * body and headers) and can answer normally, fail with a status, hang
 * forever, or be taken down (port closed) and brought back on the same port.
 */
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly at: number;
}

export type Mode = { kind: 'ok' } | { kind: 'status'; status: number } | { kind: 'hang' } | { kind: 'slow'; ms: number };

export interface Receiver {
  readonly url: string;
  readonly port: number;
  /** Requests answered 2xx, in arrival order. */
  readonly accepted: Received[];
  /** Every request that reached the server, whatever the answer. */
  readonly all: Received[];
  mode: Mode;
  /** Close the port: clients get ECONNREFUSED. */
  down(): Promise<void>;
  /** Listen again on the same port. */
  up(): Promise<void>;
  /** Resolve once `n` requests were accepted (rejects after `timeoutMs`). */
  waitFor(n: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(path = '/hook'): Promise<Receiver> {
  const accepted: Received[] = [];
  const all: Received[] = [];
  const hung = new Set<ServerResponse>();
  let waiters: Array<() => void> = [];
  let server: Server;
  let port = 0;

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      all.push(r);
      const mode = rx.mode;
      if (mode.kind === 'hang') {
        hung.add(res);
        return;
      }
      const answer = () => {
        if (mode.kind === 'status') {
          res.writeHead(mode.status).end('no');
          return;
        }
        accepted.push(r);
        res.writeHead(204).end();
        for (const w of waiters) w();
      };
      if (mode.kind === 'slow') setTimeout(answer, mode.ms);
      else answer();
    });
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer(handler);
      server.keepAliveTimeout = 1000;
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  const shut = () =>
    new Promise<void>((resolve) => {
      for (const res of hung) res.destroy();
      hung.clear();
      server.close(() => resolve());
      server.closeAllConnections();
    });

  await listen();
  const rx: Receiver = {
    get url() {
      return `http://127.0.0.1:${port}${path}`;
    },
    get port() {
      return port;
    },
    accepted,
    all,
    mode: { kind: 'ok' },
    down: shut,
    up: listen,
    waitFor(n, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`receiver got ${accepted.length} of ${n} requests within ${timeoutMs} ms`)), timeoutMs);
        const check = () => {
          if (accepted.length < n) return;
          clearTimeout(timer);
          waiters = waiters.filter((w) => w !== check);
          resolve(accepted.slice(0, n));
        };
        waiters.push(check);
        check();
      });
    },
    close: shut,
  };
  return rx;
}

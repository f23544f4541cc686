/**
 * pixie's HTTP service on node:http: iPXE scripts, signed files, the booted
 * beacon, iPXE binaries for UEFI HTTP Boot, and a health check.
 *
 *   GET /_/ipxe?mac=&arch=     iPXE script (404 when pixie does not boot the machine)
 *   GET /_/file?name=<id>      a file behind a signed ID (Range, HEAD, 403 on bad IDs)
 *   GET /_/booting?mac=        "booted" beacon → machine:booted
 *   GET /_/firmware/<name>     iPXE binary (ipxe.efi, snponly.efi, …)
 *   GET /_/health              liveness
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pixie } from '../pixie.js';
import { PixieError } from '../errors.js';
import { handleBooting, handleIpxe } from './ipxe-route.js';
import { handleFile, handleFirmware } from './file-route.js';
import { replyText } from './reply.js';
import { createRouteContext, type RouteContext } from './context.js';

export interface HttpServerOptions {
  readonly pixie: Pixie;
  readonly listenAddr: string;
  /** TCP port; 0 picks a free one (tests). */
  readonly port: number;
}

export interface HttpServer {
  readonly server: Server;
  /** The address and port actually bound. */
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

const HEALTH = Buffer.from('{"status":"ok"}\n');
const FIRMWARE_PREFIX = '/_/firmware/';

/** Route one request. Exported for tests that call it without a socket. */
export async function route(ctx: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { pixie } = ctx;
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    replyText(res, 405, 'only GET and HEAD', { Allow: 'GET, HEAD' });
    return;
  }
  const query = () => new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  switch (path) {
    case '/_/ipxe':
      return handleIpxe(pixie, req, res, query());
    case '/_/file':
      return handleFile(ctx, req, res, query());
    case '/_/booting':
      return handleBooting(pixie, res, query());
    case '/_/health':
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': HEALTH.length, 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : HEALTH);
      return;
  }
  if (path.startsWith(FIRMWARE_PREFIX)) {
    let name: string;
    try {
      name = decodeURIComponent(path.slice(FIRMWARE_PREFIX.length));
    } catch {
      name = '';
    }
    // Names are looked up in a fixed table, so "../x" can only miss; refuse it anyway.
    if (name && !name.includes('/') && !name.includes('\\') && !name.includes('\0')) return handleFirmware(ctx, req, res, name);
  }
  replyText(res, 404, 'not found');
}

export async function createHttpServer(opts: HttpServerOptions): Promise<HttpServer> {
  const { pixie } = opts;
  const ctx = createRouteContext(pixie);
  const server = createServer({ keepAliveTimeout: 10_000 }, (req, res) => {
    route(ctx, req, res).catch((err: unknown) => {
      const error = err instanceof Error ? err : new Error(String(err));
      pixie.log.error({ err: error, url: req.url }, `HTTP request failed: ${error.message}`);
      pixie.events.emit('error', { where: 'http', error });
      replyText(res, 500, 'internal error');
    });
  });
  server.on('clientError', (err, socket) => {
    pixie.log.debug({ err }, `bad HTTP request: ${err.message}`);
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(new PixieError('PIXIE_ERR_BIND', `HTTP cannot listen on ${opts.listenAddr}:${opts.port}: ${err.code ?? err.message}${err.code === 'EACCES' ? ' (ports below 1024 need root or CAP_NET_BIND_SERVICE; try --port 8080)' : err.code === 'EADDRINUSE' ? ' (something else uses this port; pick another with --port)' : ''}.`, { cause: err }));
    };
    server.once('error', onError);
    server.listen(opts.port, opts.listenAddr, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (err) => pixie.log.error({ err }, `HTTP server error: ${err.message}`));
  const bound = server.address() as AddressInfo;
  return {
    server,
    address: bound.address,
    port: bound.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

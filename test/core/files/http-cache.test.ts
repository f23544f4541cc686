/**
 * http(s) files through pixie's cache, against a local upstream server:
 * one download then cache hits, ETag revalidation, one shared download for
 * concurrent requests, upstream failures as 502 (or the stale copy).
 */
import test from 'ava';
import got from 'got';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { curl, startHttpPixie } from '../http/helpers.js';
import { silentLogger } from '../../../core/log.js';
import { createHttpCache, redactUrl } from '../../../core/files/http-cache.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';

interface Upstream {
  base: string;
  /** Requests seen, as "METHOD status". */
  log: string[];
  body: Buffer;
  etag: string;
  delayMs: number;
  failWith?: number | undefined;
}

async function upstream(t: import('ava').ExecutionContext): Promise<Upstream> {
  const state: Upstream = { base: '', log: [], body: Buffer.from('kernel v1 '.repeat(5000)), etag: '"v1"', delayMs: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const answer = () => {
      if (state.failWith) {
        state.log.push(`${req.method} ${state.failWith}`);
        res.writeHead(state.failWith).end('upstream says no');
        return;
      }
      if (req.headers['if-none-match'] === state.etag) {
        state.log.push(`${req.method} 304`);
        res.writeHead(304, { ETag: state.etag }).end();
        return;
      }
      state.log.push(`${req.method} 200`);
      res.writeHead(200, { ETag: state.etag, 'Content-Length': state.body.length, 'Last-Modified': new Date(0).toUTCString() });
      res.end(state.body);
    };
    if (state.delayMs) setTimeout(answer, state.delayMs);
    else answer();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => {
    server.close(() => r());
    server.closeAllConnections();
  }));
  state.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

test('second fetch is a cache hit; a changed ETag is noticed on revalidation', async (t) => {
  const up = await upstream(t);
  const h = await startHttpPixie(t, { http: { cacheFreshMs: 0 } });
  const url = `${h.base}/_/file?name=${h.pixie.fileId(`${up.base}/vmlinuz`)}`;

  const first = await curl(url);
  t.is(first.status, 200);
  t.true(first.body.equals(up.body));
  t.is(first.headers['content-length'], String(up.body.length));
  t.deepEqual(up.log, ['GET 200']);

  const second = await got(url, { responseType: 'buffer' });
  t.true(second.body.equals(up.body));
  t.deepEqual(up.log, ['GET 200', 'GET 304'], 'revalidated, not downloaded again');

  up.body = Buffer.from('kernel v2 '.repeat(3000));
  up.etag = '"v2"';
  const third = await curl(url);
  t.true(third.body.equals(up.body));
  t.is(third.headers['content-length'], String(up.body.length));
  t.deepEqual(up.log, ['GET 200', 'GET 304', 'GET 200']);
  // Ranges are served from the cached copy.
  const part = await curl(url, ['-r', '0-5']);
  t.is(part.body.toString(), 'kernel');
  t.deepEqual(up.log.length, 4);
});

test('within cacheFreshMs the copy is served without asking upstream', async (t) => {
  const up = await upstream(t);
  const h = await startHttpPixie(t, { http: { cacheFreshMs: 60_000 } });
  const url = `${h.base}/_/file?name=${h.pixie.fileId(`${up.base}/initrd`)}`;
  for (let i = 0; i < 3; i++) t.is((await curl(url)).status, 200);
  t.deepEqual(up.log, ['GET 200']);
});

test('concurrent requests for an uncached file share one download', async (t) => {
  const up = await upstream(t);
  up.delayMs = 300;
  const h = await startHttpPixie(t, { http: { cacheFreshMs: 0 } });
  const url = `${h.base}/_/file?name=${h.pixie.fileId(`${up.base}/big`)}`;
  const results = await Promise.all(Array.from({ length: 8 }, () => got(url, { responseType: 'buffer' })));
  for (const r of results) t.true(r.body.equals(up.body));
  t.deepEqual(up.log, ['GET 200']);
  // No temporary files are left behind.
  const files = await readdir(join(h.cacheDir, 'http'));
  t.deepEqual(files.filter((f) => f.endsWith('.tmp')), []);
  t.is(files.filter((f) => f.endsWith('.data')).length, 1);
});

test('upstream failure without a copy: 502 and a log line', async (t) => {
  const up = await upstream(t);
  up.failWith = 500;
  const h = await startHttpPixie(t);
  const r = await curl(`${h.base}/_/file?name=${h.pixie.fileId(`${up.base}/missing`)}&type=kernel&mac=52:54:00:00:00:01`);
  t.is(r.status, 502);
  t.regex(h.pixie.sink.text(), /cannot serve a file \(kernel\): .*Cannot fetch http:\/\/127\.0\.0\.1:\d+\/missing/);
  // A dead upstream (connection refused) is a 502 as well.
  const dead = await curl(`${h.base}/_/file?name=${h.pixie.fileId('http://127.0.0.1:9/none')}`);
  t.is(dead.status, 502);
});

test('upstream failure with a copy: the copy is served, with a warning', async (t) => {
  const up = await upstream(t);
  const h = await startHttpPixie(t, { http: { cacheFreshMs: 0 } });
  const url = `${h.base}/_/file?name=${h.pixie.fileId(`${up.base}/k`)}`;
  t.is((await curl(url)).status, 200);
  up.failWith = 503;
  const r = await curl(url);
  t.is(r.status, 200);
  t.true(r.body.equals(up.body));
  t.regex(h.pixie.sink.text(), /upstream failed, serving the cached copy/);
});

test('a copy on disk from an earlier run is revalidated, then reused', async (t) => {
  const up = await upstream(t);
  const dir = await mkdtemp(join(tmpdir(), 'pixie-cache-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const a = createHttpCache({ dir, log: silentLogger(), freshMs: 60_000 });
  await a.resolve(`${up.base}/x`);
  const b = createHttpCache({ dir, log: silentLogger(), freshMs: 60_000 });
  const src = await b.resolve(`${up.base}/x`);
  t.is(src.size, up.body.length);
  t.deepEqual(up.log, ['GET 200', 'GET 304']);
});

test('credentials in URLs never reach logs', (t) => {
  t.is(redactUrl('https://user:pw@host/x'), 'https://host/x');
  t.is(redactUrl('http://host/a@b'), 'http://host/a@b');
});

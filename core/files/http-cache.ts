/**
 * http(s) file source with an on-disk cache, so a remote kernel is
 * downloaded once, not on every boot.
 *
 * - A cached copy younger than `freshMs` is served without asking upstream;
 *   an older one is revalidated with `If-None-Match` / `If-Modified-Since`
 *   (a 304 keeps it, a 200 replaces it).
 * - Concurrent requests for the same URL share one download or revalidation.
 * - A download goes to a temporary file that is renamed into place when it is
 *   complete, so a half-written file is never served.
 * - When upstream fails but a copy exists, the copy is served (with a warning);
 *   without a copy the failure is a PixieError `PIXIE_ERR_UPSTREAM` (HTTP 502).
 *
 * Layout under `dir`: `<sha256(url)>.json` (metadata) and
 * `<sha256(url)>-<version>.data` (the body).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'got';
import type { Logger } from 'pino';
import type { FileSource } from '../boot/spec.js';
import { PixieError } from '../errors.js';
import { localFileSource } from './local.js';

export interface HttpCacheOptions {
  /** Directory for cached bodies and metadata (created on first use). */
  readonly dir: string;
  readonly log: Logger;
  /** How long a copy is served without revalidation (ms). */
  readonly freshMs: number;
  /** Give up on an upstream that sends no response headers for this long (ms). */
  readonly responseTimeoutMs?: number;
  /** Give up on an upstream connection idle for this long (ms). */
  readonly idleTimeoutMs?: number;
  /** Clock, for tests. */
  readonly now?: () => number;
}

export interface HttpCache {
  /** A FileSource for the cached copy of `url` (downloading or revalidating first if needed). */
  resolve(url: string): Promise<FileSource>;
}

interface Meta {
  readonly url: string;
  readonly file: string;
  readonly size: number;
  readonly etag?: string | undefined;
  readonly lastModified?: string | undefined;
}

interface Entry {
  meta: Meta;
  checkedAt: number;
}

/** Remove user:password from a URL before it reaches a log line. */
export function redactUrl(url: string): string {
  return url.replace(/^(https?:\/\/)[^/@]*@/i, '$1');
}

export function createHttpCache(opts: HttpCacheOptions): HttpCache {
  const { dir, log, freshMs } = opts;
  const now = opts.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const inflight = new Map<string, Promise<Entry>>();
  let dirReady: Promise<unknown> | undefined;

  const keyOf = (url: string) => createHash('sha256').update(url).digest('hex');

  async function loadMeta(url: string): Promise<Entry | undefined> {
    try {
      const meta = JSON.parse(await readFile(join(dir, `${keyOf(url)}.json`), 'utf8')) as Meta;
      if (meta.url !== url || typeof meta.file !== 'string') return undefined;
      // checkedAt 0: a copy from an earlier run is revalidated before use.
      return { meta, checkedAt: 0 };
    } catch {
      return undefined;
    }
  }

  async function download(url: string, old: Entry | undefined): Promise<Entry> {
    dirReady ??= mkdir(dir, { recursive: true });
    await dirReady;
    const headers: Record<string, string> = {};
    if (old?.meta.etag) headers['if-none-match'] = old.meta.etag;
    if (old?.meta.lastModified) headers['if-modified-since'] = old.meta.lastModified;
    const key = keyOf(url);
    const file = `${key}-${randomBytes(6).toString('hex')}.data`;
    const tmp = join(dir, `${file}.${process.pid}.tmp`);
    const started = now();
    // got is loaded on first use: most pixie instances never fetch a remote file.
    const { default: got } = await import('got');
    const stream = got.stream(url, {
      headers,
      retry: { limit: 0 },
      timeout: { connect: 15_000, response: opts.responseTimeoutMs ?? 30_000, socket: opts.idleTimeoutMs ?? 60_000 },
    });
    try {
      const response = await new Promise<Response>((resolve, reject) => {
        stream.once('response', resolve);
        stream.once('error', reject);
      });
      if (response.statusCode === 304 && old) {
        stream.destroy();
        log.debug({ url: redactUrl(url) }, 'cached copy is still current (304)');
        return { meta: old.meta, checkedAt: now() };
      }
      log.info({ url: redactUrl(url) }, `downloading ${redactUrl(url)}`);
      await pipeline(stream, createWriteStream(tmp));
      const size = (await stat(tmp)).size;
      const etag = response.headers.etag;
      const lastModified = response.headers['last-modified'];
      const meta: Meta = { url, file, size, etag, lastModified };
      await rename(tmp, join(dir, file));
      const metaTmp = join(dir, `${key}.json.${process.pid}.tmp`);
      await writeFile(metaTmp, JSON.stringify(meta));
      await rename(metaTmp, join(dir, `${key}.json`));
      log.info({ url: redactUrl(url), bytes: size, durationMs: now() - started }, `cached ${redactUrl(url)} (${size} bytes)`);
      if (old && old.meta.file !== file) retire(join(dir, old.meta.file));
      return { meta, checkedAt: now() };
    } catch (err) {
      stream.destroy();
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }

  /** Delete a replaced body a little later: a response may still be opening it. */
  function retire(path: string) {
    setTimeout(() => void unlink(path).catch(() => undefined), 60_000).unref();
  }

  async function refresh(url: string, old: Entry | undefined): Promise<Entry> {
    try {
      return await download(url, old);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (old && (await localFileSource(join(dir, old.meta.file)))) {
        log.warn({ url: redactUrl(url), err }, `upstream failed, serving the cached copy of ${redactUrl(url)}: ${reason}`);
        return { meta: old.meta, checkedAt: now() };
      }
      throw new PixieError('PIXIE_ERR_UPSTREAM', `Cannot fetch ${redactUrl(url)}: ${reason}`, { cause: err });
    }
  }

  /** Entry for `url`, sharing one refresh between concurrent callers. */
  function current(url: string, force: boolean): Promise<Entry> {
    const running = inflight.get(url);
    if (running) return running;
    const p = (async () => {
      const known = entries.get(url) ?? (await loadMeta(url));
      if (known && !force && now() - known.checkedAt < freshMs) return known;
      const e = await refresh(url, force ? undefined : known);
      entries.set(url, e);
      return e;
    })().finally(() => inflight.delete(url));
    inflight.set(url, p);
    return p;
  }

  return {
    async resolve(url) {
      let entry = entries.get(url);
      if (!entry || now() - entry.checkedAt >= freshMs) entry = await current(url, false);
      let source = await localFileSource(join(dir, entry.meta.file));
      if (!source) {
        // The body vanished (cache dir cleaned): fetch it again, unconditionally.
        entries.delete(url);
        entry = await current(url, true);
        source = await localFileSource(join(dir, entry.meta.file));
        if (!source) throw new PixieError('PIXIE_ERR_UPSTREAM', `Cached copy of ${redactUrl(url)} disappeared right after download.`);
      }
      return { ...source, description: redactUrl(url), etag: entry.meta.etag ?? source.etag };
    },
  };
}

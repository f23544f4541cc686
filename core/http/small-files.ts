/**
 * Small files kept in memory. A boot storm fetches the same few small files
 * (cmdline configs, preseeds) hundreds of times; reading each from disk costs
 * several thread-pool round trips (stat, open, read, close), a memory hit
 * costs none. An entry is reused without asking `file:resolve` for `freshMs`;
 * after that the file is resolved again and its bytes are reused only while
 * its ETag and size are unchanged. Least recently used entries go first.
 */
import { Readable } from 'node:stream';
import type { FileSource } from '../boot/spec.js';

export interface SmallFilesOptions {
  /** Largest file kept (bytes). */
  readonly maxFileBytes: number;
  /** Memory budget for all entries (bytes). */
  readonly maxTotalBytes: number;
  /** How long an entry is served without resolving the file again (ms). */
  readonly freshMs: number;
  readonly now?: () => number;
}

export interface CachedFile {
  readonly body: Buffer;
  readonly etag: string;
  readonly lastModified?: Date | undefined;
  readonly contentType?: string | undefined;
  readonly description?: string | undefined;
  checkedAt: number;
}

export interface SmallFiles {
  /** An entry young enough to serve without resolving. */
  fresh(key: string): CachedFile | undefined;
  /** Can `source` be kept? (small, and with an ETag to revalidate it by) */
  eligible(source: FileSource): boolean;
  /** The entry for `key` if it still holds `source`'s bytes, else read and keep them. */
  get(key: string, source: FileSource): Promise<CachedFile | undefined>;
}

/** A FileSource view of a cached entry. */
export function cachedSource(c: CachedFile): FileSource {
  return {
    size: c.body.length,
    etag: c.etag,
    lastModified: c.lastModified,
    contentType: c.contentType,
    description: c.description,
    open: (range) => Readable.from([range ? c.body.subarray(range.start, range.end + 1) : c.body]),
  };
}

async function readAll(source: FileSource): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of await source.open()) {
    const b = chunk as Buffer;
    length += b.length;
    if (length > source.size) return undefined;
    chunks.push(b);
  }
  return length === source.size ? Buffer.concat(chunks, length) : undefined;
}

export function createSmallFiles(opts: SmallFilesOptions): SmallFiles {
  const now = opts.now ?? Date.now;
  const entries = new Map<string, CachedFile>();
  const loading = new Map<string, Promise<CachedFile | undefined>>();
  let total = 0;

  const touch = (key: string, c: CachedFile) => {
    entries.delete(key);
    entries.set(key, c);
  };
  const drop = (key: string) => {
    const c = entries.get(key);
    if (c) total -= c.body.length;
    entries.delete(key);
  };

  async function load(key: string, source: FileSource): Promise<CachedFile | undefined> {
    const body = await readAll(source);
    if (!body || !source.etag) return undefined;
    const c: CachedFile = {
      body,
      etag: source.etag,
      lastModified: source.lastModified,
      contentType: source.contentType,
      description: source.description,
      checkedAt: now(),
    };
    drop(key);
    for (const [k] of entries) {
      if (total + body.length <= opts.maxTotalBytes) break;
      drop(k);
    }
    entries.set(key, c);
    total += body.length;
    return c;
  }

  return {
    fresh(key) {
      const c = entries.get(key);
      if (!c || now() - c.checkedAt >= opts.freshMs) return undefined;
      touch(key, c);
      return c;
    },
    eligible: (source) => source.etag !== undefined && source.size <= opts.maxFileBytes && source.size <= opts.maxTotalBytes,
    async get(key, source) {
      const c = entries.get(key);
      if (c && c.etag === source.etag && c.body.length === source.size) {
        c.checkedAt = now();
        touch(key, c);
        return c;
      }
      let p = loading.get(key);
      if (!p) {
        p = load(key, source).finally(() => loading.delete(key));
        loading.set(key, p);
      }
      return p;
    },
  };
}

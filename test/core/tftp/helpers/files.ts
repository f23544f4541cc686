/**
 * Test helpers: serve files from a directory through `resolve`, and make
 * deterministic pseudo-random files of a given size.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileSource } from '../../../../core/boot/spec.js';
import type { TftpRequest } from '../../../../core/hooks.js';

/** A resolver that serves `dir/<name>` (names are already checked by the server). */
export function dirResolver(dir: string, seen?: TftpRequest[]): (req: TftpRequest) => Promise<FileSource | undefined> {
  return async (req) => {
    seen?.push(req);
    const path = join(dir, req.filename);
    const st = await stat(path).catch(() => undefined);
    if (!st?.isFile()) return undefined;
    return { size: st.size, description: path, open: () => createReadStream(path) };
  };
}

/** Write `size` deterministic bytes (xorshift32 from `seed`) to `path`; returns their sha256. */
export async function writePatternFile(path: string, size: number, seed = 0x9e3779b9): Promise<string> {
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  let x = seed >>> 0 || 1;
  const chunkSize = 1 << 20;
  for (let done = 0; done < size; done += chunkSize) {
    const n = Math.min(chunkSize, size - done);
    const buf = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      buf[i] = x & 0xff;
    }
    hash.update(buf);
    if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return hash.digest('hex');
}

/** sha256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** FileSource for a file on local disk: stat once, stream with optional range. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { FileSource } from '../boot/spec.js';

const LARGE_FILE = 4 * 1024 * 1024;
const LARGE_CHUNK = 512 * 1024;

/** A FileSource for `path`, or undefined when it is missing or not a regular file. */
export async function localFileSource(path: string, contentType?: string): Promise<FileSource | undefined> {
  let st;
  try {
    st = await stat(path);
  } catch {
    return undefined;
  }
  if (!st.isFile()) return undefined;
  const size = st.size;
  // Big reads in big chunks (fewer syscalls on multi-GiB kernels/ISOs); a full
  // read stops at the size announced in Content-Length even if the file grows.
  const highWaterMark = size > LARGE_FILE ? LARGE_CHUNK : undefined;
  return {
    size,
    etag: `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`,
    lastModified: st.mtime,
    contentType,
    description: path,
    open: (range) =>
      size === 0 && !range ? Readable.from([]) : createReadStream(path, { start: range?.start ?? 0, end: range ? range.end : size - 1, highWaterMark }),
  };
}

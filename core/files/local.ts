/** FileSource for a file on local disk: stat once, stream with optional range. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FileSource } from '../boot/spec.js';

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
  return {
    size,
    etag: `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`,
    lastModified: st.mtime,
    contentType,
    description: path,
    open: (range) => (range ? createReadStream(path, { start: range.start, end: range.end }) : createReadStream(path)),
  };
}

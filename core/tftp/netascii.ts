/**
 * netascii encoding for `mode netascii` reads (RFC 1350 §1 and appendix,
 * after RFC 764): a bare LF goes out as CR LF and a bare CR as CR NUL. The
 * receiver undoes it. The output is longer than the file, so tsize is not
 * offered in this mode.
 */
import { Transform, type TransformCallback } from 'node:stream';

const CR = 0x0d;
const LF = 0x0a;

/** A stream that encodes its input as netascii. */
export function netasciiEncoder(): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      let extra = 0;
      for (let i = 0; i < chunk.length; i++) if (chunk[i] === CR || chunk[i] === LF) extra++;
      if (extra === 0) {
        done(null, chunk);
        return;
      }
      const out = Buffer.allocUnsafe(chunk.length + extra);
      let o = 0;
      for (let i = 0; i < chunk.length; i++) {
        const b = chunk[i]!;
        if (b === LF) {
          out[o++] = CR;
          out[o++] = LF;
        } else if (b === CR) {
          out[o++] = CR;
          out[o++] = 0;
        } else {
          out[o++] = b;
        }
      }
      done(null, out);
    },
  });
}

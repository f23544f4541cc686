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
    // Object mode on the way in, so a source that yields something other than
    // bytes fails the transfer through the callback instead of throwing.
    writableObjectMode: true,
    transform(input: unknown, _enc: BufferEncoding, done: TransformCallback) {
      const chunk = typeof input === 'string' ? Buffer.from(input) : input instanceof Uint8Array ? Buffer.from(input.buffer, input.byteOffset, input.length) : undefined;
      if (!chunk) {
        done(new TypeError('the file source produced something other than bytes'));
        return;
      }
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

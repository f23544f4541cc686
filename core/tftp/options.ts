/**
 * Option negotiation for read requests (pure). Turns the options a client
 * sent into the values a transfer uses and the list the OACK echoes.
 *
 * - RFC 2347: unknown options are ignored; the OACK lists only options the
 *   server accepts, and no OACK is sent when none are accepted.
 * - RFC 2348 blksize: 8..65464; the server may answer a smaller value, so
 *   large requests are clamped to our maximum. A value below 8 cannot be
 *   answered with anything valid and is ignored (the transfer uses 512).
 * - RFC 2349 timeout: 1..255 seconds and must be echoed unchanged, so values
 *   outside the range are ignored. tsize: in a RRQ the server answers with
 *   the file size, when it knows it exactly.
 * - RFC 7440 windowsize: 1..65535; the server may answer a smaller value.
 */
import type { TftpOption } from './packet.js';

/** RFC 1350 block size, used when blksize is not negotiated. */
export const DEFAULT_BLKSIZE = 512;
export const MIN_BLKSIZE = 8;
export const MAX_BLKSIZE = 65464;
export const MIN_TIMEOUT_S = 1;
export const MAX_TIMEOUT_S = 255;
export const MAX_WINDOWSIZE = 65535;
/**
 * The largest window pixie will ever use: block numbers are 16 bits, and an
 * ACK must map to one unacknowledged block without ambiguity, so a window
 * stays well below half the block-number space.
 */
export const HARD_MAX_WINDOWSIZE = 32768;

export interface OptionLimits {
  /** Largest blksize we agree to (≤ 65464). */
  readonly maxBlksize: number;
  /** Largest windowsize we agree to (≤ HARD_MAX_WINDOWSIZE). */
  readonly maxWindowsize: number;
}

export interface Negotiated {
  readonly blksize: number;
  readonly windowsize: number;
  /** Client-requested retransmission timeout in seconds, when accepted. */
  readonly timeoutS?: number | undefined;
  /** The tsize we announce, when the client asked and the size is known. */
  readonly tsize?: number | undefined;
  /** What the OACK carries; empty means "send no OACK, start with DATA 1". */
  readonly oack: readonly TftpOption[];
}

/** Strict unsigned decimal (no sign, no spaces, no hex); undefined otherwise. */
function parseCount(value: string): number | undefined {
  if (!/^[0-9]{1,15}$/.test(value)) return undefined;
  return Number(value);
}

/**
 * Negotiate a read transfer. `size` is the exact number of bytes that will be
 * sent, or undefined when it is not known in advance (netascii conversion,
 * sources without a reliable size): then tsize is not acknowledged.
 */
export function negotiate(requested: readonly TftpOption[], limits: OptionLimits, size: number | undefined): Negotiated {
  const maxBlksize = Math.min(Math.max(limits.maxBlksize, MIN_BLKSIZE), MAX_BLKSIZE);
  const maxWindow = Math.min(Math.max(limits.maxWindowsize, 1), HARD_MAX_WINDOWSIZE);
  let blksize = DEFAULT_BLKSIZE;
  let windowsize = 1;
  let timeoutS: number | undefined;
  let tsize: number | undefined;
  const oack: TftpOption[] = [];
  const seen = new Set<string>();

  for (const { name, value } of requested) {
    // The first occurrence of an option wins; repeats are ignored.
    if (seen.has(name)) continue;
    seen.add(name);
    const n = parseCount(value);
    if (n === undefined) continue;
    switch (name) {
      case 'blksize':
        if (n < MIN_BLKSIZE) break;
        blksize = Math.min(n, maxBlksize);
        oack.push({ name, value: String(blksize) });
        break;
      case 'timeout':
        if (n < MIN_TIMEOUT_S || n > MAX_TIMEOUT_S) break;
        timeoutS = n;
        oack.push({ name, value: String(n) });
        break;
      case 'tsize':
        if (size === undefined || !Number.isSafeInteger(size) || size < 0) break;
        tsize = size;
        oack.push({ name, value: String(size) });
        break;
      case 'windowsize':
        if (n < 1 || n > MAX_WINDOWSIZE) break;
        windowsize = Math.min(n, maxWindow);
        oack.push({ name, value: String(windowsize) });
        break;
      default:
        // RFC 2347: options the server does not support are simply not acknowledged.
        break;
    }
  }
  return { blksize, windowsize, timeoutS, tsize, oack };
}

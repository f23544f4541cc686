/**
 * `Range: bytes=…` for one range (RFC 9110 §14.1.2, §14.2). Pure.
 *
 * A server may ignore a Range it does not want to serve (§14.2), so anything
 * but one well-formed byte range — other units, several ranges, syntax
 * errors — gets the whole file. A well-formed range that starts past the end
 * is unsatisfiable (416, §15.5.17).
 */
import type { ByteRange } from '../boot/spec.js';

export type RangeResult = { readonly kind: 'full' } | { readonly kind: 'partial'; readonly range: ByteRange } | { readonly kind: 'unsatisfiable' };

const FULL: RangeResult = { kind: 'full' };
const UNSATISFIABLE: RangeResult = { kind: 'unsatisfiable' };
const SPEC = /^bytes[ \t]*=[ \t]*(\d*)[ \t]*-[ \t]*(\d*)[ \t]*$/i;

export function parseRange(header: string | undefined, size: number): RangeResult {
  if (!header) return FULL;
  const m = SPEC.exec(header);
  if (!m) return FULL;
  const [, first = '', last = ''] = m;
  if (first === '' && last === '') return FULL;
  if (first === '') {
    // Suffix range: the last N bytes (§14.1.2).
    const n = last.length > 15 ? size : Number(last);
    if (n === 0 || size === 0) return UNSATISFIABLE;
    return { kind: 'partial', range: { start: Math.max(0, size - n), end: size - 1 } };
  }
  // Digits beyond 2^53 mean "past any end": clamp the last position, refuse the first.
  if (first.length > 15) return UNSATISFIABLE;
  const start = Number(first);
  const end = last === '' || last.length > 15 ? size - 1 : Number(last);
  if (last !== '' && last.length <= 15 && end < start) return FULL;
  if (start >= size) return UNSATISFIABLE;
  return { kind: 'partial', range: { start, end: Math.min(end, size - 1) } };
}

import test from 'ava';
import fc from 'fast-check';
import { parseRange } from '../../../core/http/range.js';

const partial = (start: number, end: number) => ({ kind: 'partial', range: { start, end } });

test('single byte ranges (RFC 9110 §14.1.2)', (t) => {
  t.deepEqual(parseRange('bytes=0-99', 1000), partial(0, 99));
  t.deepEqual(parseRange('bytes=500-', 1000), partial(500, 999));
  t.deepEqual(parseRange('bytes=-100', 1000), partial(900, 999));
  t.deepEqual(parseRange('bytes=-5000', 1000), partial(0, 999));
  t.deepEqual(parseRange('bytes=990-5000', 1000), partial(990, 999));
  t.deepEqual(parseRange('Bytes = 1 - 2', 1000), partial(1, 2));
  t.deepEqual(parseRange('bytes=0-99999999999999999999', 10), partial(0, 9));
});

test('unsatisfiable ranges', (t) => {
  t.deepEqual(parseRange('bytes=1000-', 1000), { kind: 'unsatisfiable' });
  t.deepEqual(parseRange('bytes=-0', 1000), { kind: 'unsatisfiable' });
  t.deepEqual(parseRange('bytes=0-', 0), { kind: 'unsatisfiable' });
  t.deepEqual(parseRange('bytes=99999999999999999999-', 10), { kind: 'unsatisfiable' });
});

test('anything else is ignored: the whole file is sent', (t) => {
  for (const h of [undefined, '', 'bytes=', 'bytes=-', 'items=0-1', 'bytes=5-1', 'bytes=0-1,5-6', 'bytes=a-b', 'bytes 0-1']) {
    t.deepEqual(parseRange(h, 1000), { kind: 'full' }, String(h));
  }
});

test('a partial range always lies inside the file (property)', (t) => {
  fc.assert(
    fc.property(fc.nat(1 << 20), fc.option(fc.nat(1 << 21), { nil: undefined }), fc.option(fc.nat(1 << 21), { nil: undefined }), (size, a, b) => {
      const r = parseRange(`bytes=${a ?? ''}-${b ?? ''}`, size);
      if (r.kind === 'partial') {
        t.true(r.range.start >= 0 && r.range.start <= r.range.end && r.range.end < size);
      }
    }),
  );
});

import test from 'ava';
import fc from 'fast-check';
import { createFileIds } from '../../../core/boot/file-id.js';

const ids = createFileIds('a-secret-of-sufficient-length');

test('IDs round-trip, are deterministic and reveal nothing of the reference', (t) => {
  const ref = 'https://mirror.example/debian/linux';
  const id = ids.mint(ref);
  t.is(ids.open(id), ref);
  t.is(ids.mint(ref), id);
  t.false(id.includes('mirror'));
  t.regex(id, /^[A-Za-z0-9_-]+$/);
});

test('another instance with the same secret accepts the ID; another secret does not', (t) => {
  const id = ids.mint('./vmlinuz');
  t.is(createFileIds('a-secret-of-sufficient-length').open(id), './vmlinuz');
  t.is(createFileIds('a-different-secret-entirely').open(id), undefined);
});

test('any altered byte makes the ID invalid', (t) => {
  const raw = Buffer.from(ids.mint('/srv/boot/initrd.img'), 'base64url');
  fc.assert(
    fc.property(fc.integer({ min: 0, max: raw.length - 1 }), fc.integer({ min: 1, max: 255 }), (i, x) => {
      const bad = Buffer.from(raw);
      bad[i] = bad[i]! ^ x;
      return ids.open(bad.toString('base64url')) === undefined;
    }),
  );
  t.is(ids.open(''), undefined);
  t.is(ids.open('../../etc/passwd'), undefined);
  t.is(ids.open('x'.repeat(10000)), undefined);
});

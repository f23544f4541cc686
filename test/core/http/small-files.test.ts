import test from 'ava';
import { Readable } from 'node:stream';
import { writeFile } from 'node:fs/promises';
import { createSmallFiles, cachedSource } from '../../../core/http/small-files.js';
import type { FileSource } from '../../../core/boot/spec.js';
import { curl, startHttpPixie } from './helpers.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function source(text: string, etag: string | undefined, counter: { opens: number }): FileSource {
  const body = Buffer.from(text);
  return {
    size: body.length,
    etag,
    open: () => {
      counter.opens++;
      return Readable.from([body]);
    },
  };
}

test('entries are fresh for freshMs, then reused only while the ETag matches', async (t) => {
  let clock = 0;
  const c = { opens: 0 };
  const small = createSmallFiles({ maxFileBytes: 100, maxTotalBytes: 1000, freshMs: 1000, now: () => clock });
  const a = await small.get('k', source('hello', '"1"', c));
  t.is(a?.body.toString(), 'hello');
  t.is(small.fresh('k'), a);
  clock = 1000;
  t.is(small.fresh('k'), undefined);
  t.is(await small.get('k', source('hello', '"1"', c)), a, 'same ETag: bytes reused');
  t.is(c.opens, 1);
  const b = await small.get('k', source('HELLO!', '"2"', c));
  t.is(b?.body.toString(), 'HELLO!');
  t.is(c.opens, 2);
});

test('only small files with an ETag are kept; the budget evicts the least recently used', async (t) => {
  const c = { opens: 0 };
  const small = createSmallFiles({ maxFileBytes: 10, maxTotalBytes: 20, freshMs: 1e9 });
  t.false(small.eligible(source('x'.repeat(11), '"e"', c)));
  t.false(small.eligible(source('x', undefined, c)));
  await small.get('a', source('a'.repeat(10), '"a"', c));
  await small.get('b', source('b'.repeat(10), '"b"', c));
  small.fresh('a');
  await small.get('c', source('c'.repeat(10), '"c"', c));
  t.truthy(small.fresh('a'));
  t.falsy(small.fresh('b'));
  t.truthy(small.fresh('c'));
});

test('a source whose stream is shorter than its size is not kept', async (t) => {
  const small = createSmallFiles({ maxFileBytes: 100, maxTotalBytes: 1000, freshMs: 1e9 });
  const liar: FileSource = { size: 10, etag: '"x"', open: () => Readable.from([Buffer.from('short')]) };
  t.is(await small.get('k', liar), undefined);
});

test('cachedSource serves ranges from memory', async (t) => {
  const small = createSmallFiles({ maxFileBytes: 100, maxTotalBytes: 1000, freshMs: 1e9 });
  const e = await small.get('k', source('0123456789', '"e"', { opens: 0 }));
  const chunks: Buffer[] = [];
  for await (const ch of await cachedSource(e!).open({ start: 2, end: 4 })) chunks.push(ch as Buffer);
  t.is(Buffer.concat(chunks).toString(), '234');
});

test('a changed local file is served fresh (cacheFreshMs 0)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'pixie-small-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'cfg'), 'one');
  const h = await startHttpPixie(t, { http: { cacheFreshMs: 0 } }, dir);
  const url = `${h.base}/_/file?name=${h.pixie.fileId('./cfg')}`;
  t.is((await curl(url)).body.toString(), 'one');
  await writeFile(join(dir, 'cfg'), 'two, longer');
  const r = await curl(url);
  t.is(r.body.toString(), 'two, longer');
  t.is(r.headers['content-length'], '11');
});

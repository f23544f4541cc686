import test from 'ava';
import { Readable } from 'node:stream';
import { netasciiEncoder } from '../../../core/tftp/netascii.js';

async function encode(parts: string[]): Promise<string> {
  const out: Buffer[] = [];
  for await (const chunk of Readable.from(parts.map((p) => Buffer.from(p, 'latin1'))).pipe(netasciiEncoder())) out.push(chunk as Buffer);
  return Buffer.concat(out).toString('latin1');
}

test('LF becomes CR LF and CR becomes CR NUL (RFC 1350 netascii)', async (t) => {
  t.is(await encode(['a\nb\rc\r\nd']), 'a\r\nb\r\0c\r\0\r\nd');
});

test('chunks without line ends pass through; boundaries do not matter', async (t) => {
  t.is(await encode(['plain', ' text']), 'plain text');
  t.is(await encode(['a\r', '\nb']), 'a\r\0\r\nb');
});

test('a chunk that is not bytes becomes a stream error, not an exception', async (t) => {
  const enc = netasciiEncoder();
  const failed = new Promise<Error>((resolve) => enc.once('error', resolve));
  enc.write({ not: 'bytes' });
  t.regex((await failed).message, /other than bytes/);
});

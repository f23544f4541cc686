/**
 * Fuzzing (fast-check), about 130k cases in all: the codec on random bytes
 * and on mutated real packets, encode/decode round trips, the request path
 * (`TftpSessions.handle`) and a running transfer on random and mutated input,
 * and a real server on loopback fed random datagrams. Nothing may throw, and
 * everything must still serve afterwards.
 */
import test from 'ava';
import dgram from 'node:dgram';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createEvents } from '../../../core/events.js';
import { decodePacket, encodeAck, encodePacket, encodeRequest, type TftpPacket } from '../../../core/tftp/packet.js';
import { createTftpServer } from '../../../core/tftp/server.js';
import { ReadTransfer } from '../../../core/tftp/transfer.js';
import { FakeClock, flush } from './helpers/fake-clock.js';
import { fakeSessions, sinkLogger } from './helpers/fake-io.js';
import { dirResolver } from './helpers/files.js';
import { run } from './helpers/tools.js';

const fixtureDir = fileURLToPath(new URL('../../fixtures/tftp/', import.meta.url));
const fixtures = readdirSync(fixtureDir)
  .filter((f) => f.endsWith('.hex'))
  .map((f) => Buffer.from(readFileSync(fixtureDir + f, 'utf8').trim(), 'hex'));

/** A real packet with a few random edits (flip, cut, insert, repeat a slice). */
const mutated = fc
  .tuple(
    fc.constantFrom(...fixtures),
    fc.array(fc.record({ kind: fc.constantFrom('flip', 'cut', 'insert', 'repeat'), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 6 }),
  )
  .map(([base, edits]) => {
    let b = Buffer.from(base);
    for (const e of edits) {
      const at = b.length ? e.at % b.length : 0;
      if (e.kind === 'flip' && b.length) b[at] = e.byte;
      else if (e.kind === 'cut') b = b.subarray(0, at);
      else if (e.kind === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.from([e.byte]), b.subarray(at)]);
      else b = Buffer.concat([b, b.subarray(at, at + 1 + (e.byte % 16))]);
    }
    return b;
  });

const optionName = fc.constantFrom('blksize', 'tsize', 'timeout', 'windowsize', 'BLKSIZE', 'multicast', '', 'x'.repeat(40));
const optionValue = fc.oneof(fc.constantFrom('0', '7', '8', '512', '1468', '65464', '65465', '99999999999999', '-1', 'abc', ''), fc.string({ maxLength: 8 }));
const names = fc.constantFrom('boot.bin', './boot.bin', 'throw.bin', 'missing', '../boot.bin', '/boot.bin', 'a\\b', 'x'.repeat(300), '', 'a/../../b');
/** Well-formed requests with hostile contents. */
const requests = fc
  .record({
    op: fc.constantFrom('rrq' as const, 'wrq' as const),
    filename: fc.oneof(names, fc.string({ maxLength: 20 }).map((s) => s.replace(/[^\x01-\xff]/g, '?').replace(/\0/g, ''))),
    mode: fc.constantFrom('octet', 'netascii', 'OCTET', 'mail', 'binary', ''),
    options: fc.array(fc.record({ name: optionName, value: optionValue }), { maxLength: 5 }),
  })
  .map((r) => encodeRequest({ ...r, options: r.options.map((o) => ({ name: o.name, value: o.value.replace(/[^\x01-\xff]/g, '?') })) }));
const datagrams = fc.oneof(fc.uint8Array({ maxLength: 600 }).map((u) => Buffer.from(u)), mutated, requests);

/** A decoded packet must survive another encode/decode unchanged. */
function checkStable(bytes: Uint8Array): void {
  const d = decodePacket(bytes);
  if (!d.ok) {
    if (typeof d.error !== 'string' || d.error.length === 0) throw new Error('decode error without a message');
    return;
  }
  const again = decodePacket(encodePacket(d.packet));
  if (!again.ok) throw new Error(`re-encoded packet does not decode: ${again.error}`);
  const view = (p: TftpPacket) => JSON.stringify(p.op === 'data' ? { ...p, data: Buffer.from(p.data).toString('hex') } : p);
  if (view(again.packet) !== view(d.packet)) throw new Error('decode(encode(decode(x))) differs from decode(x)');
}

test('codec: random bytes (40k) and mutated real packets (30k) never throw and decode stably', (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), checkStable), { numRuns: 40_000 });
  fc.assert(fc.property(mutated, checkStable), { numRuns: 30_000 });
  t.pass();
});

const packets: fc.Arbitrary<TftpPacket> = fc.oneof(
  fc.record({
    op: fc.constantFrom('rrq' as const, 'wrq' as const),
    filename: fc.string({ maxLength: 30 }).map((s) => s.replace(/[^\x01-\xff]/g, 'x')),
    mode: fc.constantFrom('octet', 'netascii'),
    options: fc.array(fc.record({ name: fc.constantFrom('blksize', 'tsize', 'timeout', 'windowsize'), value: fc.nat().map(String) }), { maxLength: 4 }),
  }),
  fc.record({ op: fc.constant('data' as const), block: fc.integer({ min: 0, max: 65535 }), data: fc.uint8Array({ maxLength: 1468 }) }),
  fc.record({ op: fc.constant('ack' as const), block: fc.integer({ min: 0, max: 65535 }) }),
  fc.record({ op: fc.constant('error' as const), code: fc.integer({ min: 0, max: 8 }), message: fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x01-\xff]/g, '?')) }),
  fc.record({ op: fc.constant('oack' as const), options: fc.array(fc.record({ name: fc.constantFrom('blksize', 'tsize', 'windowsize'), value: fc.nat().map(String) }), { maxLength: 4 }) }),
);

test('codec: structured packets round-trip exactly (10k)', (t) => {
  fc.assert(
    fc.property(packets, (p) => {
      const d = decodePacket(encodePacket(p));
      const view = (q: TftpPacket) => JSON.stringify(q.op === 'data' ? { ...q, data: Buffer.from(q.data).toString('hex') } : q);
      return d.ok && view(d.packet) === view(p);
    }),
    { numRuns: 10_000 },
  );
  t.pass();
});

test('request path: 30k hostile datagrams never throw, then a normal read still completes', async (t) => {
  const clock = new FakeClock();
  const content = Buffer.from(Array.from({ length: 3000 }, (_, i) => i & 0xff));
  const f = fakeSessions({ 'boot.bin': content }, {}, clock);
  const base = f.sessions;
  await fc.assert(
    fc.asyncProperty(datagrams, fc.integer({ min: 1, max: 65535 }), async (msg, port) => {
      await f.handle(msg, port);
      // Feed a running transfer something hostile too.
      f.io.sockets.at(-1)?.deliver(msg);
      if (base.active > 32) {
        base.closeAll();
        base.reopen();
      }
    }),
    { numRuns: 30_000 },
  );
  base.closeAll();
  base.reopen();
  t.is(base.active, 0);
  const sockets = f.io.sockets.length;
  await f.handle(encodeRequest({ op: 'rrq', filename: 'boot.bin', mode: 'octet', options: [] }), 7);
  const sock = f.io.sockets[sockets]!;
  await flush();
  for (let b = 1; b <= 6; b++) sock.deliver(encodeAck(b));
  const data = Buffer.concat(sock.sent.flatMap((p) => (p.op === 'data' ? [Buffer.from(p.data)] : [])));
  t.true(data.equals(content));
  t.is(base.active, 0);
});

test('transfer: 10k hostile datagrams from the client never break a transfer', async (t) => {
  const content = Buffer.alloc(100 * 1024, 7);
  const sent: number[] = [];
  let result: unknown;
  const transfer = new ReadTransfer(
    { source: Readable.from([content]), blksize: 512, windowsize: 4, retransmitMs: 1000, maxRetries: 3, idleTimeoutMs: 10_000, clock: new FakeClock(), send: (_p, len) => void sent.push(len) },
    (r) => (result = r),
  );
  transfer.start();
  await flush();
  // Random input, but no ERROR packets (an ERROR legitimately ends the transfer) and no ACKs (they are the protocol).
  const hostile = datagrams.filter((d) => !(d.length >= 2 && d[0] === 0 && (d[1] === 4 || d[1] === 5)));
  fc.assert(fc.property(hostile, (msg) => transfer.receive(msg)), { numRuns: 10_000 });
  t.is(result, undefined, 'the transfer is still running');
  for (let b = 4; b <= 201; b += 4) transfer.receive(encodeAck(b));
  transfer.receive(encodeAck(201));
  t.like(result, { ok: true, bytes: content.length });
});

test('real server: 10k random datagrams over loopback, then curl still gets its file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'pxt-tftp-fuzz-'));
  const { log } = sinkLogger();
  const server = createTftpServer({ listenAddr: '127.0.0.1', port: 0, log, events: createEvents(log), resolve: dirResolver(dir), retransmitMs: 200, maxRetries: 1 });
  try {
    const content = Buffer.from('still serving\n'.repeat(1000));
    await writeFile(join(dir, 'boot.bin'), content);
    await server.start();
    const { port } = server.address();
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    sock.on('error', () => undefined);
    const samples = fc.sample(datagrams, 10_000);
    for (let i = 0; i < samples.length; i++) {
      await new Promise<void>((r) => sock.send(samples[i]!, port, '127.0.0.1', () => r()));
      if (i % 500 === 0) await new Promise((r) => setImmediate(r));
    }
    await new Promise<void>((r) => sock.close(() => r()));
    const r = await run('curl', ['-sS', '--tftp-blksize', '1468', '-o', join(dir, 'out'), `tftp://127.0.0.1:${port}/boot.bin`]);
    t.is(r.code, 0, r.stderr);
    t.true(readFileSync(join(dir, 'out')).equals(content));
    const deadline = Date.now() + 5000;
    while (server.activeTransfers > 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
    t.is(server.activeTransfers, 0, 'sessions opened by the fuzz are freed');
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

import test from 'ava';
import { Readable } from 'node:stream';
import { decodePacket, encodeAck, encodeError, type TftpPacket } from '../../../core/tftp/packet.js';
import { ReadTransfer, type TransferResult } from '../../../core/tftp/transfer.js';
import { FakeClock, flush } from './helpers/fake-clock.js';

interface Harness {
  t: ReadTransfer;
  clock: FakeClock;
  sent: TftpPacket[];
  result: () => TransferResult | undefined;
  ack: (block: number) => void;
}

function harness(source: Readable, o: { blksize?: number; windowsize?: number; oack?: Buffer; maxRetries?: number; idleTimeoutMs?: number } = {}): Harness {
  const clock = new FakeClock();
  const sent: TftpPacket[] = [];
  let result: TransferResult | undefined;
  const t = new ReadTransfer(
    {
      source,
      blksize: o.blksize ?? 512,
      windowsize: o.windowsize ?? 1,
      retransmitMs: 1000,
      maxRetries: o.maxRetries ?? 3,
      idleTimeoutMs: o.idleTimeoutMs ?? 10_000,
      oack: o.oack,
      clock,
      send: (packet, length) => {
        // Copy: the transfer reuses its buffers.
        const d = decodePacket(Buffer.from(packet.subarray(0, length)));
        if (!d.ok) throw new Error(d.error);
        sent.push(d.packet);
      },
    },
    (r) => (result = r),
  );
  return { t, clock, sent, result: () => result, ack: (b) => t.receive(encodeAck(b)) };
}

const bytes = (n: number, seed = 1) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));
const dataBlocks = (sent: TftpPacket[]) => sent.filter((p) => p.op === 'data').map((p) => (p.op === 'data' ? p.block : -1));

test('lock-step: one block at a time, the short block ends the transfer', async (t) => {
  const h = harness(Readable.from([bytes(1000)]));
  h.t.start();
  await flush();
  t.deepEqual(dataBlocks(h.sent), [1]);
  h.ack(1);
  t.deepEqual(dataBlocks(h.sent), [1, 2]);
  const last = h.sent[1];
  t.true(last?.op === 'data' && last.data.length === 488);
  t.is(h.result(), undefined);
  h.ack(2);
  t.like(h.result(), { ok: true, bytes: 1000, blocks: 2, retransmits: 0 });
  t.is(h.clock.pending, 0, 'no timer left behind');
});

test('a file that is a multiple of blksize ends with an empty block', async (t) => {
  const h = harness(Readable.from([bytes(1024)]));
  h.t.start();
  await flush();
  h.ack(1);
  h.ack(2);
  const last = h.sent.at(-1);
  t.true(last?.op === 'data' && last.block === 3 && last.data.length === 0);
  h.ack(3);
  t.like(h.result(), { ok: true, bytes: 1024, blocks: 3 });
});

test('an empty file is one empty DATA 1', async (t) => {
  const h = harness(Readable.from([]));
  h.t.start();
  await flush();
  t.deepEqual(h.sent, [{ op: 'data', block: 1, data: Buffer.alloc(0) }]);
  h.ack(1);
  t.like(h.result(), { ok: true, bytes: 0, blocks: 1 });
});

test('OACK first, data only after ACK 0; the OACK is retransmitted', async (t) => {
  const oack = Buffer.from('\0\x06blksize\x00100\0', 'latin1');
  const h = harness(Readable.from([bytes(150)]), { blksize: 100, oack });
  h.t.start();
  await flush();
  t.deepEqual(h.sent.map((p) => p.op), ['oack']);
  h.ack(1); // not ACK 0: ignored
  h.clock.advance(1000);
  t.deepEqual(h.sent.map((p) => p.op), ['oack', 'oack']);
  h.ack(0);
  t.deepEqual(dataBlocks(h.sent), [1]);
  h.ack(1);
  h.ack(2);
  t.like(h.result(), { ok: true, bytes: 150, retransmits: 1 });
});

test('a repeated ACK never triggers a send (no Sorcerer\'s Apprentice)', async (t) => {
  const h = harness(Readable.from([bytes(2000)]));
  h.t.start();
  await flush();
  h.ack(1);
  const before = h.sent.length;
  h.ack(1);
  h.ack(1);
  h.ack(0);
  t.is(h.sent.length, before);
  h.ack(7); // never sent: ignored too
  t.is(h.sent.length, before);
});

test('timeout: the block is resent with backoff, then the transfer gives up with ERROR 0', async (t) => {
  const h = harness(Readable.from([bytes(2000)]), { maxRetries: 2 });
  h.t.start();
  await flush();
  h.clock.advance(999);
  t.deepEqual(dataBlocks(h.sent), [1]);
  h.clock.advance(1);
  t.deepEqual(dataBlocks(h.sent), [1, 1]);
  h.clock.advance(1999); // the interval doubled
  t.deepEqual(dataBlocks(h.sent), [1, 1]);
  h.clock.advance(1);
  t.deepEqual(dataBlocks(h.sent), [1, 1, 1]);
  h.clock.advance(4000);
  t.like(h.result(), { ok: false, reason: 'timeout', retransmits: 2 });
  t.like(h.sent.at(-1), { op: 'error', code: 0 });
  t.is(h.clock.pending, 0);
});

test('backoff stops doubling at MAX_BACKOFF_MS; idleTimeoutMs bounds the whole wait', async (t) => {
  const h = harness(Readable.from([bytes(2000)]), { maxRetries: 100, idleTimeoutMs: 20_000 });
  h.t.start();
  await flush();
  const times: number[] = [];
  let seen = h.sent.length;
  for (let ms = 0; ms < 20_000 && !h.result(); ms += 100) {
    h.clock.advance(100);
    if (h.sent.length > seen) times.push(h.clock.now());
    seen = h.sent.length;
  }
  t.deepEqual(times.slice(0, 6), [1000, 3000, 7000, 12_000, 17_000, 20_000]);
  t.like(h.result(), { ok: false, reason: 'idle' });
});

test('progress resets the retry budget', async (t) => {
  const h = harness(Readable.from([bytes(5000)]), { maxRetries: 1 });
  h.t.start();
  await flush();
  for (let b = 1; b <= 9; b++) {
    h.clock.advance(1000); // one retransmission of each block
    h.ack(b);
  }
  h.ack(10);
  t.like(h.result(), { ok: true, bytes: 5000, retransmits: 9 });
});

test('windowed: a window of blocks per ACK; a short ACK resends the rest of the window (RFC 7440)', async (t) => {
  const h = harness(Readable.from([bytes(100 * 10 + 50)]), { blksize: 100, windowsize: 4 });
  h.t.start();
  await flush();
  t.deepEqual(dataBlocks(h.sent), [1, 2, 3, 4]);
  h.ack(4);
  t.deepEqual(dataBlocks(h.sent), [1, 2, 3, 4, 5, 6, 7, 8]);
  h.ack(6); // the client missed 7
  t.deepEqual(dataBlocks(h.sent).slice(8), [7, 8, 9, 10]);
  h.ack(6); // repeated: nothing
  t.is(h.sent.length, 12);
  h.ack(10);
  t.deepEqual(dataBlocks(h.sent).slice(12), [11]);
  h.ack(11);
  t.like(h.result(), { ok: true, bytes: 1050, blocks: 11, retransmits: 2 });
});

test('windowed timeout resends the whole unacknowledged window', async (t) => {
  const h = harness(Readable.from([bytes(1000)]), { blksize: 100, windowsize: 3 });
  h.t.start();
  await flush();
  h.clock.advance(1000);
  t.deepEqual(dataBlocks(h.sent), [1, 2, 3, 1, 2, 3]);
});

/** Drive a transfer to the end with a client that ACKs the last in-order block it has; returns the bytes. */
async function runToEnd(h: Harness): Promise<{ data: Buffer; wire: number[] }> {
  h.t.start();
  await flush();
  const parts: Buffer[] = [];
  const wire: number[] = [];
  let expected = 1;
  let seen = 0;
  while (!h.result()) {
    let lastWire = -1;
    for (; seen < h.sent.length; seen++) {
      const p = h.sent[seen]!;
      if (p.op !== 'data') continue;
      if (p.block !== (expected & 0xffff)) continue;
      parts.push(Buffer.from(p.data));
      wire.push(p.block);
      lastWire = p.block;
      expected++;
    }
    if (lastWire < 0) {
      await flush();
      continue;
    }
    h.ack(lastWire);
  }
  return { data: Buffer.concat(parts), wire };
}

test('block numbers wrap from 65535 to 0 beyond 65535 blocks (lock-step)', async (t) => {
  const content = bytes(8 * 70_000 + 3, 7);
  const h = harness(Readable.from([content]), { blksize: 8 });
  const { data, wire } = await runToEnd(h);
  t.true(data.equals(content));
  t.deepEqual(wire.slice(65533, 65538), [65534, 65535, 0, 1, 2]);
  t.like(h.result(), { ok: true, blocks: 70_001, bytes: content.length });
});

test('block numbers wrap with a window too, and stale ACKs from before the wrap are ignored', async (t) => {
  const content = bytes(8 * 66_000, 3);
  const h = harness(Readable.from([content]), { blksize: 8, windowsize: 16 });
  const { data, wire } = await runToEnd(h);
  t.true(data.equals(content));
  t.is(wire.filter((b) => b === 0).length, 1);
  t.like(h.result(), { ok: true, blocks: 66_001 });

  const h2 = harness(Readable.from([bytes(8 * 66_000)]), { blksize: 8 });
  h2.t.start();
  await flush();
  for (let b = 1; b <= 65_537; b++) h2.ack(b & 0xffff);
  const count = h2.sent.length;
  h2.ack(65_535); // an old, delayed ACK from before the wrap
  h2.ack(65_000);
  t.is(h2.sent.length, count);
  t.like(h2.sent.at(-1), { op: 'data', block: 2 });
});

test('backpressure: the source is read only a bounded distance ahead of the client', async (t) => {
  let produced = 0;
  const total = 64 * 1024 * 1024;
  const source = new Readable({
    highWaterMark: 64 * 1024,
    read() {
      if (produced >= total) return void this.push(null);
      produced += 64 * 1024;
      this.push(Buffer.alloc(64 * 1024, 1));
    },
  });
  const h = harness(source, { blksize: 1468, windowsize: 16 });
  h.t.start();
  await flush(10);
  let acked = 0;
  let maxAhead = 0;
  for (let i = 0; i < 300; i++) {
    acked += 16;
    h.ack(acked & 0xffff);
    await flush(2);
    maxAhead = Math.max(maxAhead, produced - acked * 1468);
  }
  t.true(maxAhead < 512 * 1024, `read ${maxAhead} bytes ahead of the client`);
  t.true(produced < 16 * 1024 * 1024);
  h.t.abort('test done');
});

test('idle: a stalled source ends the transfer after idleTimeoutMs', async (t) => {
  const source = new Readable({ read() {} });
  const h = harness(source, { idleTimeoutMs: 5000 });
  h.t.start();
  await flush();
  t.deepEqual(h.sent, []);
  h.clock.advance(5000);
  t.like(h.result(), { ok: false, reason: 'idle' });
  t.like(h.sent.at(-1), { op: 'error', code: 0, message: 'transfer timed out' });
  t.true(source.destroyed);
});

test('an ERROR from the client ends the transfer without an answer', async (t) => {
  const h = harness(Readable.from([bytes(5000)]));
  h.t.start();
  await flush();
  h.t.receive(encodeError(0, 'Client cancel'));
  t.like(h.result(), { ok: false, reason: 'client-error' });
  t.deepEqual(h.sent.map((p) => p.op), ['data']);

  const h2 = harness(Readable.from([bytes(5000)]), { oack: Buffer.from('\0\x06tsize\x005000\0', 'latin1') });
  h2.t.start();
  h2.t.receive(encodeError(8, 'tsize probe done'));
  t.like(h2.result(), { ok: false, reason: 'client-declined' });
});

test('a failing source ends the transfer with ERROR 0 "read error"', async (t) => {
  const source = new Readable({ read() {} });
  const h = harness(source);
  h.t.start();
  source.destroy(new Error('EIO'));
  await flush();
  t.like(h.result(), { ok: false, reason: 'source-error' });
  t.like(h.sent.at(-1), { op: 'error', message: 'read error' });
});

test('a source that yields something other than bytes fails the transfer, it does not throw', async (t) => {
  const h = harness(Readable.from([{ not: 'bytes' }]));
  h.t.start();
  await flush();
  t.like(h.result(), { ok: false, reason: 'source-error' });
  t.like(h.sent.at(-1), { op: 'error', message: 'read error' });
});

test('abort tells the client unless quiet; garbage from the client is ignored', async (t) => {
  const h = harness(Readable.from([bytes(5000)]));
  h.t.start();
  await flush();
  h.t.receive(Buffer.from([0, 3, 0, 1, 9]));
  h.t.receive(Buffer.from([0xff]));
  h.t.receive(Buffer.alloc(0));
  t.is(h.sent.length, 1);
  h.t.abort('server shutting down');
  t.like(h.sent.at(-1), { op: 'error', message: 'server shutting down' });
  t.like(h.result(), { ok: false, reason: 'aborted' });
  h.t.receive(encodeAck(1)); // after the end: ignored
  t.is(h.sent.length, 2);

  const h2 = harness(Readable.from([bytes(5000)]));
  h2.t.start();
  await flush();
  h2.t.abort('client unreachable', true);
  t.is(h2.sent.length, 1);
});

import test from 'ava';
import { encodeAck, encodeData, encodeError, encodeRequest, type TftpOption } from '../../../core/tftp/packet.js';
import { FakeClock, flush } from './helpers/fake-clock.js';
import { fakeSessions, memorySource } from './helpers/fake-io.js';

const rrq = (filename: string, options: TftpOption[] = [], mode = 'octet') => encodeRequest({ op: 'rrq', filename, mode, options });
const file = Buffer.from('x'.repeat(1200));

test('a read with options: OACK, DATA after ACK 0, events and a freed session', async (t) => {
  const f = fakeSessions({ 'boot/ipxe.efi': file });
  await f.handle(rrq('./boot//ipxe.efi', [{ name: 'tsize', value: '0' }, { name: 'blksize', value: '1000' }, { name: 'foo', value: '1' }]));
  t.deepEqual(f.requests, [{ filename: 'boot/ipxe.efi', client: { address: '192.0.2.10', port: 40000 }, serverAddress: '192.0.2.1' }]);
  const sock = f.io.sockets[0]!;
  t.is(sock.local, '192.0.2.1', 'the transfer socket is bound to the address the request came to');
  t.deepEqual(sock.sent, [{ op: 'oack', options: [{ name: 'tsize', value: '1200' }, { name: 'blksize', value: '1000' }] }]);
  t.is(f.sessions.active, 1);
  sock.deliver(encodeAck(0));
  await flush();
  sock.deliver(encodeAck(1));
  sock.deliver(encodeAck(2));
  t.deepEqual(sock.sent.slice(1).map((p) => (p.op === 'data' ? [p.block, p.data.length] : p.op)), [[1, 1000], [2, 200]]);
  t.true(sock.closed);
  t.is(f.sessions.active, 0);
  t.deepEqual(f.events.map((e) => e.type), ['tftp:start', 'tftp:done']);
  t.like(f.events[1]?.payload, { filename: 'boot/ipxe.efi', client: '192.0.2.10:40000', bytes: 1200, blksize: 1000, windowsize: 1 });
  t.true(f.lines.some((l) => l.level === 30 && l.msg.includes('sent "boot/ipxe.efi"')));
});

test('a write request is refused with ERROR 2 and a log line', async (t) => {
  const f = fakeSessions({});
  await f.handle(encodeRequest({ op: 'wrq', filename: 'x', mode: 'octet' }));
  t.deepEqual(f.replies, [{ op: 'error', code: 2, message: 'server is read-only' }]);
  t.true(f.lines.some((l) => l.level === 40 && l.msg.includes('read-only')));
  t.is(f.sessions.counters.refused, 1);
  t.is(f.io.sockets.length, 0);
});

for (const name of ['../../etc/passwd', '/etc/passwd', 'a\\b', 'a/../b', 'x'.repeat(300), 'bell\x07']) {
  test(`unsafe name ${JSON.stringify(name.slice(0, 20))} → ERROR 2, resolve never asked, logged`, async (t) => {
    const f = fakeSessions({ 'etc/passwd': file });
    await f.handle(rrq(name));
    t.deepEqual(f.replies, [{ op: 'error', code: 2, message: 'access violation' }]);
    t.deepEqual(f.requests, []);
    const line = f.lines.find((l) => l.level === 40);
    t.truthy(line);
    t.regex(line?.msg ?? '', /unsafe name .* refused: /);
    t.notRegex(line?.msg ?? '', /\x07/);
  });
}

test('mode "mail" (or any unknown mode) → ERROR 4', async (t) => {
  const f = fakeSessions({ a: file });
  await f.handle(rrq('a', [], 'mail'));
  t.deepEqual(f.replies, [{ op: 'error', code: 4, message: 'unsupported mode' }]);
});

test('unknown file → ERROR 1 and a tftp:error event', async (t) => {
  const f = fakeSessions({});
  await f.handle(rrq('nope.bin'));
  t.deepEqual(f.replies, [{ op: 'error', code: 1, message: 'file not found' }]);
  t.deepEqual(f.events, [{ type: 'tftp:error', payload: { filename: 'nope.bin', client: '192.0.2.10:40000', message: 'file not found' } }]);
  t.is(f.sessions.active, 0);
});

test('a resolve that throws → ERROR 0 "internal error", logged, nothing else breaks', async (t) => {
  const f = fakeSessions({}, { resolve: () => Promise.reject(new Error('api down')) });
  await f.handle(rrq('a'));
  t.deepEqual(f.replies, [{ op: 'error', code: 0, message: 'internal error' }]);
  t.true(f.lines.some((l) => l.level === 50 && l.msg.includes('resolving "a" failed')));
  t.is(f.sessions.active, 0);
});

test('beyond maxTransfers requests wait for a slot; a repeated RRQ is ignored', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const calls: string[] = [];
  const f = fakeSessions({}, {
    maxTransfers: 1,
    resolve: async (req) => {
      calls.push(req.filename);
      if (req.filename === 'a') await gate;
      return memorySource(Buffer.from('tiny'));
    },
  });
  const first = f.handle(rrq('a'), 1000);
  await flush();
  await f.handle(rrq('a'), 1000); // the same client retransmitting its RRQ
  const second = f.handle(rrq('b'), 2000);
  await flush();
  await f.handle(rrq('b'), 2000); // repeated while waiting: ignored too
  t.deepEqual(calls, ['a'], 'b waits for the slot');
  t.is(f.sessions.active, 1);
  release();
  await first;
  await flush();
  f.io.sockets[0]!.deliver(encodeAck(1)); // a's one-block transfer ends: its slot goes to b
  await second;
  t.deepEqual(calls, ['a', 'b']);
  t.is(f.io.sockets.length, 2);
  t.deepEqual(f.replies, []);
});

test('a transfer that only awaits its final ACK no longer holds a slot', async (t) => {
  const f = fakeSessions({ a: Buffer.from('tiny'), b: Buffer.from('also tiny') }, { maxTransfers: 1 });
  await f.handle(rrq('a'), 1);
  await flush(); // DATA 1 (the last block) is out; ACK 1 never comes
  t.like(f.io.sockets[0]!.sent.at(-1), { op: 'data', block: 1 });
  await f.handle(rrq('b'), 2);
  await flush();
  t.is(f.io.sockets.length, 2, 'b got the slot at once');
  t.deepEqual(f.replies, []);
  t.is(f.sessions.active, 2);
  f.io.sockets[0]!.deliver(encodeAck(1));
  f.io.sockets[1]!.deliver(encodeAck(1));
  t.is(f.sessions.active, 0);
  await f.handle(rrq('a'), 3); // and the slot count is right afterwards
  t.is(f.io.sockets.length, 3);
});

test('busy: a full queue, or a wait beyond idleTimeoutMs, gets ERROR 0', async (t) => {
  const clock = new FakeClock();
  const f = fakeSessions({}, { maxTransfers: 1, idleTimeoutMs: 5000, resolve: () => new Promise(() => undefined) }, clock);
  void f.handle(rrq('a'), 1); // holds the only slot: its resolve never settles
  await flush();
  const waiting = [2, 3, 4, 5].map((port) => f.handle(rrq('a'), port));
  await f.handle(rrq('a'), 6); // 4 waiters per slot already: refused at once
  t.deepEqual(f.replies, [{ op: 'error', code: 0, message: 'server busy, try again' }]);
  clock.advance(4999);
  await flush();
  t.is(f.replies.length, 1);
  clock.advance(1); // the waiters give up
  await Promise.all(waiting);
  t.is(f.replies.length, 5);
  t.true(f.lines.some((l) => l.msg.includes('busy: 1 transfers running')));
});

test('netascii: line ends converted, tsize not offered', async (t) => {
  const f = fakeSessions({ 't.txt': Buffer.from('a\nb\r') });
  await f.handle(rrq('t.txt', [{ name: 'tsize', value: '0' }], 'netascii'));
  await flush();
  const sent = f.io.sockets[0]!.sent;
  t.like(sent[0], { op: 'data', block: 1 });
  t.deepEqual(sent[0]?.op === 'data' ? Buffer.from(sent[0].data).toString('latin1') : '', 'a\r\nb\r\0');
});

test('malformed requests get ERROR 4; stray DATA/ACK/ERROR on the listening port get nothing', async (t) => {
  const f = fakeSessions({});
  await f.handle(Buffer.from('\0\x01no-terminator', 'latin1'));
  await f.handle(Buffer.from([0, 42, 1, 2]));
  t.deepEqual(f.replies.map((p) => (p.op === 'error' ? p.code : -1)), [4, 4]);
  await f.handle(encodeAck(3));
  await f.handle(encodeData(1, Buffer.from('x')));
  await f.handle(encodeError(0, 'x'));
  await f.handle(Buffer.from([0, 5, 1]));
  await f.handle(Buffer.from([0, 4, 1])); // a short ACK
  await f.handle(Buffer.alloc(0));
  t.is(f.replies.length, 2);
  t.is(f.sessions.counters.malformed, 8);
});

test('a socket error (client port unreachable) frees the session quietly', async (t) => {
  const f = fakeSessions({ a: file });
  await f.handle(rrq('a'));
  await flush();
  f.io.sockets[0]!.fail(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
  t.is(f.sessions.active, 0);
  t.true(f.io.sockets[0]!.closed);
  t.deepEqual(f.events.map((e) => e.type), ['tftp:start', 'tftp:error']);
});

test('a client that vanishes is dropped after its retries; the session is freed', async (t) => {
  const clock = new FakeClock();
  const f = fakeSessions({ a: file }, { maxRetries: 2 }, clock);
  await f.handle(rrq('a'));
  await flush();
  t.is(f.sessions.active, 1);
  clock.advance(6999); // timeouts after 1 s, 2 s more, then 4 s more (backoff)
  t.is(f.sessions.active, 1);
  clock.advance(1);
  t.is(f.sessions.active, 0);
  t.like(f.events.at(-1), { type: 'tftp:error', payload: { message: 'no ACK after 2 retransmissions' } });
});

test('a tsize probe declined by the client is not reported as an error', async (t) => {
  const f = fakeSessions({ a: file });
  await f.handle(rrq('a', [{ name: 'tsize', value: '0' }]));
  f.io.sockets[0]!.deliver(encodeError(0, 'TFTP Aborted'));
  t.is(f.sessions.active, 0);
  t.deepEqual(f.events.map((e) => e.type), ['tftp:start']);
});

test('closeAll ends running transfers with ERROR 0 and refuses new requests', async (t) => {
  const f = fakeSessions({ a: file });
  await f.handle(rrq('a'));
  await flush();
  f.sessions.closeAll();
  t.like(f.io.sockets[0]!.sent.at(-1), { op: 'error', message: 'server shutting down' });
  t.is(f.sessions.active, 0);
  await f.handle(rrq('a'), 5555);
  t.is(f.io.sockets.length, 1);
});

test('a source whose open() fails → ERROR 0 "read error" on the transfer socket', async (t) => {
  const f = fakeSessions({}, {
    resolve: () => Promise.resolve({ size: 1, open: () => Promise.reject(new Error('EACCES')) }),
  });
  await f.handle(rrq('a'));
  t.deepEqual(f.io.sockets[0]?.sent, [{ op: 'error', code: 0, message: 'read error' }]);
  t.true(f.io.sockets[0]?.closed);
  t.is(f.sessions.active, 0);
});

import test from 'ava';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  ackBlock,
  decodePacket,
  encodeAck,
  encodeData,
  encodeError,
  encodeOack,
  encodePacket,
  encodeRequest,
  type TftpPacket,
} from '../../../core/tftp/packet.js';

const dir = fileURLToPath(new URL('../../fixtures/tftp/', import.meta.url));
const hex = (s: string) => Buffer.from(s, 'hex');

/** JSON view of a packet: DATA bytes as hex. */
const view = (p: TftpPacket) => (p.op === 'data' ? { ...p, data: Buffer.from(p.data).toString('hex') } : p);

const fixtures = readdirSync(dir).filter((f) => f.endsWith('.hex'));

test('there are captured fixtures for every opcode', (t) => {
  const ops = new Set(fixtures.map((f) => f.split('-')[0]));
  t.deepEqual([...ops].sort(), ['ack', 'data', 'error', 'oack', 'rrq', 'wrq']);
});

for (const file of fixtures) {
  const name = file.replace(/\.hex$/, '');
  test(`fixture ${name} decodes to its golden JSON and re-encodes byte-identically`, (t) => {
    const bytes = hex(readFileSync(dir + file, 'utf8').trim());
    const d = decodePacket(bytes);
    if (!d.ok) return t.fail(d.error);
    const golden = dir + `${name}.json`;
    if (process.env.UPDATE_FIXTURES === '1') writeFileSync(golden, `${JSON.stringify(view(d.packet), null, 2)}\n`);
    t.deepEqual(view(d.packet), JSON.parse(readFileSync(golden, 'utf8')));
    t.deepEqual(encodePacket(d.packet), bytes);
  });
}

test('RRQ with options: names are lower-cased, order and values kept', (t) => {
  const d = decodePacket(Buffer.from('\0\x01boot/x.efi\0OCTET\0BlkSize\x001468\0TSIZE\x000\0foo\0bar\0', 'latin1'));
  t.deepEqual(d, {
    ok: true,
    packet: {
      op: 'rrq',
      filename: 'boot/x.efi',
      mode: 'octet',
      options: [
        { name: 'blksize', value: '1468' },
        { name: 'tsize', value: '0' },
        { name: 'foo', value: 'bar' },
      ],
    },
  });
});

test('RRQ: trailing padding and an unterminated last option are tolerated', (t) => {
  const d = decodePacket(Buffer.from('\0\x01f\0octet\0\0\0blksize\x001024\0tsize', 'latin1'));
  t.true(d.ok);
  if (d.ok && d.packet.op === 'rrq') t.deepEqual(d.packet.options, [{ name: 'blksize', value: '1024' }]);
});

test('filename bytes are kept 1:1 (latin1) for later checks', (t) => {
  const d = decodePacket(Buffer.from([0, 1, 0x61, 0xff, 0x01, 0, 0x6f, 0x63, 0x74, 0x65, 0x74, 0]));
  t.true(d.ok && d.packet.op === 'rrq' && d.packet.filename === 'a\xff\x01');
});

const malformed: Array<[string, number[] | string]> = [
  ['empty', []],
  ['one byte', [0]],
  ['unknown opcode', [0, 9, 1, 2]],
  ['opcode 0', [0, 0]],
  ['RRQ without filename NUL', '\0\x01abc'],
  ['RRQ without mode', '\0\x01abc\0'],
  ['RRQ with unterminated mode', '\0\x01abc\0octet'],
  ['short DATA', [0, 3, 0]],
  ['short ACK', [0, 4, 0]],
  ['short ERROR', [0, 5, 0]],
];
for (const [what, bytes] of malformed) {
  test(`malformed: ${what} → typed error, no throw`, (t) => {
    const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes);
    const d = decodePacket(buf);
    t.false(d.ok);
    if (!d.ok) t.regex(d.error, /\w/);
  });
}

test('malformed results carry the opcode when known (to answer requests)', (t) => {
  const d = decodePacket(Buffer.from('\0\x02abc', 'latin1'));
  t.deepEqual(d, { ok: false, error: 'request: filename is not NUL-terminated', opcode: 2 });
});

test('DATA decodes to a view, without copying; empty DATA is valid', (t) => {
  const buf = encodeData(65535, Buffer.from('xyz'));
  const d = decodePacket(buf);
  t.true(d.ok && d.packet.op === 'data' && d.packet.block === 65535 && d.packet.data.buffer === buf.buffer);
  t.deepEqual(decodePacket(encodeData(0, Buffer.alloc(0))), { ok: true, packet: { op: 'data', block: 0, data: Buffer.alloc(0) } });
});

test('ERROR without a terminating NUL keeps the rest as the message', (t) => {
  t.deepEqual(decodePacket(Buffer.from('\0\x05\0\x01gone', 'latin1')), { ok: true, packet: { op: 'error', code: 1, message: 'gone' } });
});

test('ackBlock: fast path for ACKs, -1 for anything else', (t) => {
  t.is(ackBlock(encodeAck(0)), 0);
  t.is(ackBlock(encodeAck(65535)), 65535);
  t.is(ackBlock(Buffer.from([0, 4, 1, 2, 9, 9])), 258);
  t.is(ackBlock(encodeData(1, Buffer.alloc(0))), -1);
  t.is(ackBlock(Buffer.from([0, 4, 1])), -1);
  t.is(ackBlock(Buffer.from([1, 4, 0, 1])), -1);
});

test('round trips of every packet kind', (t) => {
  const packets: TftpPacket[] = [
    { op: 'rrq', filename: 'pxelinux.0', mode: 'octet', options: [] },
    { op: 'wrq', filename: 'a/b', mode: 'netascii', options: [{ name: 'tsize', value: '12' }] },
    { op: 'data', block: 1, data: Buffer.from('hello') },
    { op: 'ack', block: 4242 },
    { op: 'error', code: 2, message: 'access violation' },
    { op: 'oack', options: [{ name: 'blksize', value: '1468' }, { name: 'windowsize', value: '16' }] },
    { op: 'oack', options: [] },
  ];
  for (const p of packets) {
    const d = decodePacket(encodePacket(p));
    t.true(d.ok);
    if (d.ok) t.deepEqual(view(d.packet), view(p));
  }
});

test('encoders refuse values the wire cannot carry', (t) => {
  t.throws(() => encodeAck(65536), { instanceOf: RangeError });
  t.throws(() => encodeData(-1, Buffer.alloc(0)), { instanceOf: RangeError });
  t.throws(() => encodeError(1, 'a\0b'), { instanceOf: RangeError });
  t.throws(() => encodeRequest({ op: 'rrq', filename: 'snow\u2603', mode: 'octet' }), { instanceOf: RangeError });
  t.deepEqual(encodeOack([{ name: 'tsize', value: '7' }]), Buffer.from('\0\x06tsize\x007\0', 'latin1'));
});

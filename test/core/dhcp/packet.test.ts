import test from 'ava';
import { decodePacket, encodePacket, BROADCAST_FLAG, type DhcpPacket } from '../../../core/dhcp/packet.js';
import { Opt, MessageType } from '../../../core/dhcp/options.js';
import { packetJson } from './helpers.js';

function sample(): DhcpPacket {
  const chaddr = new Uint8Array(16);
  chaddr.set([0x52, 0x54, 0, 0x12, 0x34, 0x56]);
  return {
    op: 1, htype: 1, hlen: 6, hops: 0, xid: 0xdeadbeef, secs: 4, flags: BROADCAST_FLAG,
    ciaddr: '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0', giaddr: '10.1.2.3',
    chaddr, sname: '', file: '',
    options: new Map([
      [Opt.MessageType, Uint8Array.of(MessageType.Discover)],
      [Opt.ClientArch, Uint8Array.of(0, 7)],
      [Opt.VendorClass, Buffer.from('PXEClient:Arch:00007:UNDI:003016')],
    ]),
  };
}

test('encode → decode round-trips every field', (t) => {
  const p = sample();
  const r = decodePacket(encodePacket(p));
  if (!r.ok) return t.fail(r.error.message);
  t.deepEqual(packetJson(r.packet), packetJson(p));
});

test('encoded packets are at least 300 bytes (RFC 1542) and carry the magic cookie', (t) => {
  const b = encodePacket(sample());
  t.true(b.length >= 300);
  t.deepEqual([...b.subarray(236, 240)], [99, 130, 83, 99]);
});

test('values over 255 bytes are split (RFC 3396) and joined again', (t) => {
  const p = sample();
  const long = Buffer.alloc(600, 0x41);
  p.options.set(Opt.BootFileName, long);
  const b = encodePacket(p);
  const r = decodePacket(b);
  if (!r.ok) return t.fail(r.error.message);
  t.deepEqual(Buffer.from(r.packet.options.get(Opt.BootFileName)!), long);
});

test('short, non-DHCP and truncated packets give typed errors, never throw', (t) => {
  t.like(decodePacket(new Uint8Array(10)), { ok: false, error: { code: 'too-short' } });
  const noMagic = encodePacket(sample());
  noMagic[236] = 0;
  t.like(decodePacket(noMagic), { ok: false, error: { code: 'bad-magic' } });
  const cut = Buffer.concat([encodePacket(sample()).subarray(0, 240), Buffer.from([60, 40, 0x50])]);
  t.like(decodePacket(cut), { ok: false, error: { code: 'bad-options' } });
});

test('option overload (52) reads options from file and sname (RFC 2131 §4.1)', (t) => {
  const b = encodePacket(sample());
  // file field (offset 108) and sname field (offset 44) hold options.
  b.set([Opt.BootFileName, 3, 0x61, 0x62, 0x63, Opt.End], 108);
  b.set([Opt.TftpServerName, 2, 0x78, 0x79, Opt.End], 44);
  const withOverload = Buffer.concat([b.subarray(0, 240), Buffer.from([Opt.Overload, 1, 3]), b.subarray(240)]);
  const r = decodePacket(withOverload);
  if (!r.ok) return t.fail(r.error.message);
  t.is(Buffer.from(r.packet.options.get(Opt.BootFileName)!).toString(), 'abc');
  t.is(Buffer.from(r.packet.options.get(Opt.TftpServerName)!).toString(), 'xy');
  t.is(r.packet.file, '');
  t.is(r.packet.sname, '');
  t.false(r.packet.options.has(Opt.Overload));
  const bad = Buffer.concat([b.subarray(0, 240), Buffer.from([Opt.Overload, 1, 9]), b.subarray(240)]);
  t.like(decodePacket(bad), { ok: false, error: { code: 'bad-overload' } });
});

test('sname and file are read up to the first NUL and kept as Latin-1', (t) => {
  const p = sample();
  p.file = 'boot/\u00e9t\u00e9.efi';
  p.sname = 'server';
  const r = decodePacket(encodePacket(p));
  t.true(r.ok);
  if (r.ok) t.like(r.packet, { file: p.file, sname: 'server' });
});

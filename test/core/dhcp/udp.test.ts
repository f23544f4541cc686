import test from 'ava';
import { buildUdp, parseIpv4Udp } from '../../../core/dhcp/udp.js';

function ipv4(udp: Buffer, src: number[], dst: number[], flags = 0): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + udp.length, 2);
  h.writeUInt16BE(flags, 6);
  h[8] = 64;
  h[9] = 17;
  h.set(src, 12);
  h.set(dst, 16);
  return Buffer.concat([h, udp]);
}

test('buildUdp → parseIpv4Udp round trip', (t) => {
  const udp = buildUdp('10.0.0.1', '255.255.255.255', 67, 68, Buffer.from('hello'));
  const d = parseIpv4Udp(ipv4(udp, [10, 0, 0, 1], [255, 255, 255, 255]));
  t.like(d, { source: '10.0.0.1', dest: '255.255.255.255', sourcePort: 67, destPort: 68 });
  t.is(Buffer.from(d!.payload).toString(), 'hello');
});

test('checksum is the RFC 768 one (verifies to 0xffff)', (t) => {
  const payload = Buffer.from('odd-length!');
  const udp = buildUdp('192.0.2.1', '192.0.2.2', 67, 68, payload);
  let acc = 0;
  const pseudo = Buffer.from([192, 0, 2, 1, 192, 0, 2, 2, 0, 17, 0, udp.length]);
  for (const b of [pseudo, udp]) {
    for (let i = 0; i < b.length; i += 2) acc += (b[i]! << 8) | (b[i + 1] ?? 0);
  }
  while (acc > 0xffff) acc = (acc & 0xffff) + (acc >>> 16);
  t.is(acc, 0xffff);
});

test('fragments, non-UDP and cut packets are refused', (t) => {
  const udp = buildUdp('10.0.0.1', '10.0.0.2', 68, 67, Buffer.from('x'));
  t.is(parseIpv4Udp(ipv4(udp, [10, 0, 0, 1], [10, 0, 0, 2], 0x2000)), undefined);
  const p = ipv4(udp, [10, 0, 0, 1], [10, 0, 0, 2]);
  p[9] = 6;
  t.is(parseIpv4Udp(p), undefined);
  t.is(parseIpv4Udp(ipv4(udp, [1, 1, 1, 1], [2, 2, 2, 2]).subarray(0, 25)), undefined);
});

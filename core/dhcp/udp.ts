/**
 * IPv4 + UDP framing for the raw socket of `--dhcp-no-bind` (RFC 791 §3.1,
 * RFC 768). Pure. Received packets start at the IP header; sent ones start at
 * the UDP header (the kernel adds the IP header).
 */
import { ipBytes } from './options.js';

export interface UdpDatagram {
  source: string;
  dest: string;
  sourcePort: number;
  destPort: number;
  payload: Uint8Array;
}

const ip = (b: Uint8Array, o: number) => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;

/** Split an IPv4 packet carrying UDP; undefined when it is not one or is cut short. */
export function parseIpv4Udp(b: Uint8Array): UdpDatagram | undefined {
  if (b.length < 28 || b[0]! >> 4 !== 4 || b[9] !== 17) return undefined;
  const ihl = (b[0]! & 0x0f) * 4;
  const total = (b[2]! << 8) | b[3]!;
  if (ihl < 20 || total < ihl + 8 || total > b.length) return undefined;
  if ((((b[6]! << 8) | b[7]!) & 0x3fff) !== 0) return undefined; // a fragment (MF set or offset ≠ 0)
  const udpLen = (b[ihl + 4]! << 8) | b[ihl + 5]!;
  if (udpLen < 8 || ihl + udpLen > total) return undefined;
  return {
    source: ip(b, 12),
    dest: ip(b, 16),
    sourcePort: (b[ihl]! << 8) | b[ihl + 1]!,
    destPort: (b[ihl + 2]! << 8) | b[ihl + 3]!,
    payload: b.subarray(ihl + 8, ihl + udpLen),
  };
}

function sum16(b: Uint8Array, acc: number): number {
  for (let i = 0; i + 1 < b.length; i += 2) acc += (b[i]! << 8) | b[i + 1]!;
  if (b.length & 1) acc += b[b.length - 1]! << 8;
  return acc;
}

/** A UDP header + payload with the checksum over the RFC 768 pseudo-header. */
export function buildUdp(source: string, dest: string, sourcePort: number, destPort: number, payload: Uint8Array): Buffer {
  const len = 8 + payload.length;
  const out = Buffer.alloc(len);
  out.writeUInt16BE(sourcePort, 0);
  out.writeUInt16BE(destPort, 2);
  out.writeUInt16BE(len, 4);
  out.set(payload, 8);
  const pseudo = new Uint8Array(12);
  pseudo.set(ipBytes(source) ?? new Uint8Array(4), 0);
  pseudo.set(ipBytes(dest) ?? new Uint8Array(4), 4);
  pseudo[9] = 17;
  pseudo[10] = len >> 8;
  pseudo[11] = len & 0xff;
  let acc = sum16(out, sum16(pseudo, 0));
  while (acc > 0xffff) acc = (acc & 0xffff) + (acc >>> 16);
  const csum = ~acc & 0xffff;
  out.writeUInt16BE(csum === 0 ? 0xffff : csum, 6); // 0 means "no checksum"
  return out;
}

/**
 * DHCPv4 / BOOTP message codec (RFC 2131 §2, figure 1). Pure: no sockets,
 * clock or logger. `decodePacket` never throws; it returns a typed error.
 */
import { decodeOptions, encodeOptions, latin1String, Opt, type DhcpOptions } from './options.js';

/** op field (RFC 951): a client request or a server reply. */
export const BootOp = { Request: 1, Reply: 2 } as const;

/** The broadcast bit of `flags` (RFC 2131 §2, figure 2). */
export const BROADCAST_FLAG = 0x8000;

/** RFC 2131 §3: the four bytes that start the options field. */
const MAGIC = [99, 130, 83, 99] as const;
/** Fixed header size: op..file, before the magic cookie (RFC 2131 figure 1). */
const HEADER_LEN = 236;
/** RFC 1542 §3.2.1 / RFC 2131 §2: BOOTP relays expect at least 300 bytes. */
const MIN_PACKET_LEN = 300;
const SNAME_OFF = 44;
const SNAME_LEN = 64;
const FILE_OFF = 108;
const FILE_LEN = 128;

export interface DhcpPacket {
  op: number;
  /** Hardware type: 1 = Ethernet. */
  htype: number;
  /** Hardware address length: 6 for Ethernet. */
  hlen: number;
  hops: number;
  /** Transaction id, chosen by the client. */
  xid: number;
  secs: number;
  flags: number;
  ciaddr: string;
  yiaddr: string;
  /** "Next server": where the boot file is fetched from (TFTP). */
  siaddr: string;
  /** Relay agent address; `0.0.0.0` when not relayed. */
  giaddr: string;
  /** Client hardware address field, all 16 bytes. */
  chaddr: Uint8Array;
  /** Server host name (sname), up to the first NUL. Empty when overloaded. */
  sname: string;
  /** Boot file name (file), up to the first NUL. Empty when overloaded. */
  file: string;
  /**
   * Options by code (value bytes only), in wire order. Option 52 (overload)
   * is consumed while decoding: options found in `file`/`sname` are merged in.
   */
  options: DhcpOptions;
}

export type DecodeErrorCode = 'too-short' | 'bad-magic' | 'bad-options' | 'bad-overload';
export interface DecodeError {
  code: DecodeErrorCode;
  message: string;
}
export type DecodeResult = { ok: true; packet: DhcpPacket } | { ok: false; error: DecodeError };

const fail = (code: DecodeErrorCode, message: string): DecodeResult => ({ ok: false, error: { code, message } });

function ipAt(b: Uint8Array, off: number): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

function cString(b: Uint8Array): string {
  const nul = b.indexOf(0);
  return latin1String(nul === -1 ? b : b.subarray(0, nul));
}

/** Decode one DHCP/BOOTP message (the UDP payload). */
export function decodePacket(bytes: Uint8Array): DecodeResult {
  if (bytes.length < HEADER_LEN + 4) {
    return fail('too-short', `packet is ${bytes.length} bytes, a DHCP message needs at least ${HEADER_LEN + 4}`);
  }
  for (let i = 0; i < 4; i++) {
    if (bytes[HEADER_LEN + i] !== MAGIC[i]) return fail('bad-magic', 'no DHCP magic cookie (plain BOOTP or not DHCP)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const main = decodeOptions(bytes.subarray(HEADER_LEN + 4));
  if (!main.ok) return fail('bad-options', main.error);
  const options = main.options;
  const snameField = bytes.subarray(SNAME_OFF, SNAME_OFF + SNAME_LEN);
  const fileField = bytes.subarray(FILE_OFF, FILE_OFF + FILE_LEN);
  let sname = cString(snameField);
  let file = cString(fileField);

  // RFC 2131 §4.1: with option 52, `file` (1), `sname` (2) or both (3) hold more
  // options, read in that order after the main area.
  const overload = options.get(Opt.Overload);
  if (overload) {
    options.delete(Opt.Overload);
    const mode = overload.length === 1 ? overload[0]! : 0;
    if (mode < 1 || mode > 3) return fail('bad-overload', `option 52 must be one byte 1..3, got ${Array.from(overload).join(',')}`);
    if (mode & 1) {
      const r = decodeOptions(fileField, options);
      if (!r.ok) return fail('bad-options', `in overloaded file field: ${r.error}`);
      file = '';
    }
    if (mode & 2) {
      const r = decodeOptions(snameField, options);
      if (!r.ok) return fail('bad-options', `in overloaded sname field: ${r.error}`);
      sname = '';
    }
    // A second option 52 inside the overloaded fields carries no meaning.
    options.delete(Opt.Overload);
  }

  return {
    ok: true,
    packet: {
      op: bytes[0]!,
      htype: bytes[1]!,
      hlen: bytes[2]!,
      hops: bytes[3]!,
      xid: view.getUint32(4),
      secs: view.getUint16(8),
      flags: view.getUint16(10),
      ciaddr: ipAt(bytes, 12),
      yiaddr: ipAt(bytes, 16),
      siaddr: ipAt(bytes, 20),
      giaddr: ipAt(bytes, 24),
      chaddr: Uint8Array.from(bytes.subarray(28, 44)),
      sname,
      file,
      options,
    },
  };
}

function writeIp(out: Uint8Array, off: number, ip: string): void {
  const parts = ip.split('.');
  for (let i = 0; i < 4; i++) out[off + i] = Number(parts[i] ?? 0) & 0xff;
}

function writeLatin1(out: Uint8Array, off: number, max: number, s: string): void {
  const n = Math.min(s.length, max);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    out[off + i] = c > 0xff ? 0x3f : c;
  }
}

/**
 * Encode a message. `sname`/`file` longer than their fields are cut; options
 * are never overloaded into them. The result is padded to 300 bytes.
 */
export function encodePacket(p: DhcpPacket): Buffer {
  const opts = encodeOptions(p.options);
  const len = Math.max(MIN_PACKET_LEN, HEADER_LEN + 4 + opts.length);
  const out = Buffer.alloc(len);
  out[0] = p.op;
  out[1] = p.htype;
  out[2] = p.hlen;
  out[3] = p.hops;
  out.writeUInt32BE(p.xid >>> 0, 4);
  out.writeUInt16BE(p.secs & 0xffff, 8);
  out.writeUInt16BE(p.flags & 0xffff, 10);
  writeIp(out, 12, p.ciaddr);
  writeIp(out, 16, p.yiaddr);
  writeIp(out, 20, p.siaddr);
  writeIp(out, 24, p.giaddr);
  out.set(p.chaddr.subarray(0, 16), 28);
  writeLatin1(out, SNAME_OFF, SNAME_LEN, p.sname);
  writeLatin1(out, FILE_OFF, FILE_LEN, p.file);
  out.set(MAGIC, HEADER_LEN);
  out.set(opts, HEADER_LEN + 4);
  return out;
}

/** The client's MAC when the hardware is Ethernet (htype 1, hlen 6), else undefined. */
export function clientMac(p: DhcpPacket): Uint8Array | undefined {
  return p.htype === 1 && p.hlen === 6 ? p.chaddr.subarray(0, 6) : undefined;
}

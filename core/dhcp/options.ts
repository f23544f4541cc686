/**
 * DHCPv4 options: the TLV area after the magic cookie (RFC 2131 §3, RFC 2132 §2)
 * and the encapsulated sub-option areas of options 43 (PXE) and 175 (iPXE).
 * Pure: bytes in, values out; nothing here throws on bad input.
 */

/** Option codes pixie reads or writes (RFC 2132 unless noted). */
export const Opt = {
  Pad: 0,
  SubnetMask: 1,
  Router: 3,
  HostName: 12,
  RequestedIp: 50,
  Overload: 52, // RFC 2132 §9.3
  MessageType: 53,
  ServerId: 54,
  ParameterList: 55,
  MaxMessageSize: 57,
  VendorClass: 60,
  ClientId: 61,
  TftpServerName: 66,
  BootFileName: 67,
  UserClass: 77, // RFC 3004
  ClientArch: 93, // RFC 4578 §2.1
  ClientNdi: 94, // RFC 4578 §2.2
  ClientMachineId: 97, // RFC 4578 §2.3
  VendorSpecific: 43, // RFC 2132 §8.4; PXE sub-options (PXE spec 2.1 §2.4.5)
  IpxeEncap: 175, // iPXE's encapsulated options (feature flags, version)
  End: 255,
} as const;

/** DHCP message types, option 53 (RFC 2132 §9.6). */
export const MessageType = {
  Discover: 1,
  Offer: 2,
  Request: 3,
  Decline: 4,
  Ack: 5,
  Nak: 6,
  Release: 7,
  Inform: 8,
} as const;

const MESSAGE_TYPE_NAMES = ['', 'discover', 'offer', 'request', 'decline', 'ack', 'nak', 'release', 'inform'];

/** Name of a message type (`discover`, …) or `type<N>` for unknown values. */
export function messageTypeName(type: number | undefined): string {
  if (type === undefined) return 'none';
  return MESSAGE_TYPE_NAMES[type] || `type${type}`;
}

/** Options by code, in the order first seen. Values of repeated codes are concatenated (RFC 3396). */
export type DhcpOptions = Map<number, Uint8Array>;

export type OptionsResult = { ok: true; options: DhcpOptions; ended: boolean } | { ok: false; error: string };

/**
 * Parse a TLV option area. Pad (0) is skipped; End (255) stops parsing. A
 * missing End is tolerated (many ROMs rely on the packet length), an option
 * whose length runs past the area is an error. Repeated codes are joined
 * into one value, as RFC 3396 §7 asks of receivers.
 * The same layout is used inside options 43 and 175, so this parses those too.
 */
export function decodeOptions(area: Uint8Array, into: DhcpOptions = new Map()): OptionsResult {
  let i = 0;
  while (i < area.length) {
    const code = area[i]!;
    if (code === Opt.Pad) {
      i += 1;
      continue;
    }
    if (code === Opt.End) return { ok: true, options: into, ended: true };
    if (i + 1 >= area.length) return { ok: false, error: `option ${code} at offset ${i} has no length byte` };
    const len = area[i + 1]!;
    const start = i + 2;
    if (start + len > area.length) {
      return { ok: false, error: `option ${code} at offset ${i} claims ${len} bytes, only ${area.length - start} left` };
    }
    const value = area.subarray(start, start + len);
    const prev = into.get(code);
    if (prev) {
      const joined = new Uint8Array(prev.length + value.length);
      joined.set(prev);
      joined.set(value, prev.length);
      into.set(code, joined);
    } else {
      into.set(code, Uint8Array.from(value));
    }
    i = start + len;
  }
  return { ok: true, options: into, ended: false };
}

/** Encoded size of `options` (without End), counting RFC 3396 splits of long values. */
function encodedLength(options: ReadonlyMap<number, Uint8Array>): number {
  let n = 0;
  for (const value of options.values()) n += value.length === 0 ? 2 : value.length + 2 * Math.ceil(value.length / 255);
  return n;
}

/**
 * Serialise options, values longer than 255 bytes split over several
 * instances of the same code (RFC 3396 §5). Codes 0 and 255 are never
 * written as options. `end` appends the End marker.
 */
export function encodeOptions(options: ReadonlyMap<number, Uint8Array>, end = true): Uint8Array {
  const out = new Uint8Array(encodedLength(options) + (end ? 1 : 0));
  let o = 0;
  for (const [code, value] of options) {
    if (code === Opt.Pad || code === Opt.End || code < 0 || code > 255) continue;
    let at = 0;
    do {
      const chunk = value.subarray(at, at + 255);
      out[o++] = code;
      out[o++] = chunk.length;
      out.set(chunk, o);
      o += chunk.length;
      at += 255;
    } while (at < value.length);
  }
  if (end) out[o++] = Opt.End;
  return out.subarray(0, o);
}

/** Bytes as ISO-8859-1 text (TextDecoder's 'latin1' is really windows-1252, which would not round-trip). */
export function latin1String(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

/** Option value as text: bytes as Latin-1, trailing NULs dropped (some ROMs add one). */
export function optString(options: ReadonlyMap<number, Uint8Array>, code: number): string | undefined {
  const v = options.get(code);
  if (!v) return undefined;
  let end = v.length;
  while (end > 0 && v[end - 1] === 0) end--;
  return latin1String(v.subarray(0, end));
}

/** First byte of an option, or undefined when absent/empty. */
export function optU8(options: ReadonlyMap<number, Uint8Array>, code: number): number | undefined {
  const v = options.get(code);
  return v && v.length >= 1 ? v[0] : undefined;
}

/** First 16-bit big-endian value of an option (e.g. the first arch in option 93). */
export function optU16(options: ReadonlyMap<number, Uint8Array>, code: number): number | undefined {
  const v = options.get(code);
  return v && v.length >= 2 ? (v[0]! << 8) | v[1]! : undefined;
}

/** An IPv4 address option (54, 50) as dotted quad. */
export function optIp(options: ReadonlyMap<number, Uint8Array>, code: number): string | undefined {
  const v = options.get(code);
  return v && v.length >= 4 ? `${v[0]}.${v[1]}.${v[2]}.${v[3]}` : undefined;
}

/** Bytes of a string option (Latin-1; characters above 0xff become `?`). */
export function strBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[i] = c > 0xff ? 0x3f : c;
  }
  return out;
}

/** Bytes of a dotted-quad IPv4 address; undefined if it is not one. */
export function ipBytes(ip: string): Uint8Array | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    out[i] = Number(p);
  }
  return out;
}

/**
 * Option 97 (RFC 4578 §2.3): type 0 followed by a 16-byte GUID. Returns the
 * GUID as a lower-case UUID string, or undefined when absent or malformed.
 * Firmware sends the SMBIOS byte order (first three fields little-endian):
 * captured from OVMF and iPXE started with `-uuid 3f2504e0-4f89-41d3-…`, the
 * bytes are `e0 04 25 3f 89 4f d3 41 …`. Swapping them back gives the UUID
 * that `dmidecode -s system-uuid` and the hypervisor show.
 */
export function machineUuid(options: ReadonlyMap<number, Uint8Array>): string | undefined {
  const v = options.get(Opt.ClientMachineId);
  if (!v || v.length !== 17 || v[0] !== 0) return undefined;
  const g = v.subarray(1);
  const order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
  const hex = order.map((i) => g[i]!.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * User class (option 77). RFC 3004 wants length-prefixed entries, but iPXE and
 * most ROMs send one bare string (`iPXE`). Returns every plausible reading:
 * the bare string and, when the bytes parse as RFC 3004 entries, those.
 */
export function userClasses(options: ReadonlyMap<number, Uint8Array>): string[] {
  const v = options.get(Opt.UserClass);
  if (!v || v.length === 0) return [];
  const out = [optString(options, Opt.UserClass) ?? ''];
  const entries: string[] = [];
  let i = 0;
  while (i < v.length) {
    const len = v[i]!;
    if (len === 0 || i + 1 + len > v.length) return out;
    entries.push(latin1String(v.subarray(i + 1, i + 1 + len)));
    i += 1 + len;
  }
  return out.concat(entries);
}

/**
 * TFTP packet codec: bytes ⇄ objects, nothing else (no sockets, clock or
 * logger). Covers RFC 1350 (RRQ, WRQ, DATA, ACK, ERROR), RFC 2347 (option
 * extension and OACK) and carries the options of RFC 2348/2349/7440 as
 * name/value strings; `options.ts` gives them meaning.
 *
 * `decodePacket` never throws: malformed input comes back as
 * `{ ok: false, error }` so a server can answer or drop it.
 */

/** Opcodes, RFC 1350 §5 and RFC 2347 (OACK = 6). */
export const Opcode = { RRQ: 1, WRQ: 2, DATA: 3, ACK: 4, ERROR: 5, OACK: 6 } as const;

/** Error codes, RFC 1350 appendix plus RFC 2347 (8 = option negotiation refused). */
export const TftpErrorCode = {
  NOT_DEFINED: 0,
  FILE_NOT_FOUND: 1,
  ACCESS_VIOLATION: 2,
  DISK_FULL: 3,
  ILLEGAL_OPERATION: 4,
  UNKNOWN_TID: 5,
  FILE_EXISTS: 6,
  NO_SUCH_USER: 7,
  OPTION_REFUSED: 8,
} as const;

/** Largest block number on the wire; the counter wraps to 0 after it. */
export const MAX_BLOCK = 0xffff;
/** DATA/ACK header: 2 bytes opcode + 2 bytes block number (RFC 1350 §5). */
export const DATA_HEADER = 4;

/** One option of a request or OACK; the name is lower-cased (RFC 2347: case-insensitive). */
export interface TftpOption {
  readonly name: string;
  readonly value: string;
}

export interface RequestPacket {
  readonly op: 'rrq' | 'wrq';
  /** The name exactly as sent (bytes mapped 1:1 to chars); not yet checked. */
  readonly filename: string;
  /** Lower-cased transfer mode: `octet`, `netascii`, `mail`, or whatever was sent. */
  readonly mode: string;
  /** Options in the order sent; names lower-cased, duplicates kept. */
  readonly options: readonly TftpOption[];
}
export interface DataPacket {
  readonly op: 'data';
  readonly block: number;
  /** A view into the decoded buffer, not a copy. */
  readonly data: Uint8Array;
}
export interface AckPacket {
  readonly op: 'ack';
  readonly block: number;
}
export interface ErrorPacket {
  readonly op: 'error';
  readonly code: number;
  readonly message: string;
}
export interface OackPacket {
  readonly op: 'oack';
  readonly options: readonly TftpOption[];
}

export type TftpPacket = RequestPacket | DataPacket | AckPacket | ErrorPacket | OackPacket;

export type DecodeResult =
  | { readonly ok: true; readonly packet: TftpPacket }
  | { readonly ok: false; readonly error: string; readonly opcode?: number | undefined };

const fail = (error: string, opcode?: number): DecodeResult => ({ ok: false, error, opcode });

/**
 * Read a NUL-terminated string starting at `start`. Returns the string and the
 * index after the NUL, or undefined when no NUL follows. Bytes map 1:1 to
 * chars (latin1), so later checks see exactly what was on the wire.
 */
function readZ(buf: Uint8Array, start: number): { text: string; next: number } | undefined {
  const end = buf.indexOf(0, start);
  if (end < 0) return undefined;
  return { text: Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1'), next: end + 1 };
}

/**
 * Option list, RFC 2347 §"Packet Formats": `name NUL value NUL` pairs after
 * the mode (or after the OACK opcode). Empty names (padding some ROMs add) are
 * skipped and an unterminated trailing pair is ignored rather than fatal, as
 * long-deployed servers do.
 */
function readOptions(buf: Uint8Array, start: number): TftpOption[] {
  const options: TftpOption[] = [];
  let at = start;
  while (at < buf.length) {
    const name = readZ(buf, at);
    if (!name) break;
    const value = readZ(buf, name.next);
    if (!value) break;
    at = value.next;
    if (name.text.length > 0) options.push({ name: name.text.toLowerCase(), value: value.text });
  }
  return options;
}

/** Decode one datagram. Never throws. */
export function decodePacket(buf: Uint8Array): DecodeResult {
  if (buf.length < 2) return fail('packet shorter than an opcode');
  const opcode = (buf[0]! << 8) | buf[1]!;
  switch (opcode) {
    case Opcode.RRQ:
    case Opcode.WRQ: {
      // RFC 1350 §5: opcode, filename NUL, mode NUL [, options (RFC 2347)].
      const filename = readZ(buf, 2);
      if (!filename) return fail('request: filename is not NUL-terminated', opcode);
      const mode = readZ(buf, filename.next);
      if (!mode) return fail('request: mode is missing or not NUL-terminated', opcode);
      return {
        ok: true,
        packet: {
          op: opcode === Opcode.RRQ ? 'rrq' : 'wrq',
          filename: filename.text,
          mode: mode.text.toLowerCase(),
          options: readOptions(buf, mode.next),
        },
      };
    }
    case Opcode.DATA:
      if (buf.length < DATA_HEADER) return fail('DATA shorter than its header', opcode);
      return { ok: true, packet: { op: 'data', block: (buf[2]! << 8) | buf[3]!, data: buf.subarray(DATA_HEADER) } };
    case Opcode.ACK:
      // Trailing bytes after the block number are tolerated (some stacks pad).
      if (buf.length < 4) return fail('ACK shorter than 4 bytes', opcode);
      return { ok: true, packet: { op: 'ack', block: (buf[2]! << 8) | buf[3]! } };
    case Opcode.ERROR: {
      if (buf.length < 4) return fail('ERROR shorter than 4 bytes', opcode);
      // The message should be NUL-terminated; take the rest if it is not.
      const msg = readZ(buf, 4);
      const message = msg ? msg.text : Buffer.from(buf.buffer, buf.byteOffset + 4, buf.length - 4).toString('latin1');
      return { ok: true, packet: { op: 'error', code: (buf[2]! << 8) | buf[3]!, message } };
    }
    case Opcode.OACK:
      return { ok: true, packet: { op: 'oack', options: readOptions(buf, 2) } };
    default:
      return fail(`unknown opcode ${opcode}`, opcode);
  }
}

/**
 * Fast path for the hot loop: the block number of an ACK, or -1 when `buf`
 * is not an ACK. No allocation.
 */
export function ackBlock(buf: Uint8Array): number {
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== Opcode.ACK) return -1;
  return (buf[2]! << 8) | buf[3]!;
}

function assertBlock(block: number): void {
  if (!Number.isInteger(block) || block < 0 || block > MAX_BLOCK) throw new RangeError(`TFTP block ${block} is outside 0..65535`);
}

function assertText(text: string, what: string): void {
  // Strings travel NUL-terminated as single bytes (netascii, RFC 1350 §5).
  if (text.includes('\0') || /[^\x01-\xff]/.test(text)) throw new RangeError(`TFTP ${what} must be single-byte text without NUL`);
}

function zList(parts: readonly string[]): Buffer {
  for (const p of parts) assertText(p, 'string');
  return Buffer.from(parts.map((p) => `${p}\0`).join(''), 'latin1');
}

function withOpcode(opcode: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(2 + body.length);
  out.writeUInt16BE(opcode, 0);
  body.copy(out, 2);
  return out;
}

const flatOptions = (options: readonly TftpOption[]) => options.flatMap((o) => [o.name, o.value]);

/** RRQ/WRQ with optional RFC 2347 options. */
export function encodeRequest(p: Omit<RequestPacket, 'options'> & { options?: readonly TftpOption[] }): Buffer {
  const opcode = p.op === 'rrq' ? Opcode.RRQ : Opcode.WRQ;
  return withOpcode(opcode, zList([p.filename, p.mode, ...flatOptions(p.options ?? [])]));
}

/** DATA: block number and up to blksize bytes (RFC 1350 §5). */
export function encodeData(block: number, data: Uint8Array): Buffer {
  assertBlock(block);
  const out = Buffer.allocUnsafe(DATA_HEADER + data.length);
  writeDataHeader(out, block);
  out.set(data, DATA_HEADER);
  return out;
}

/** Write a DATA header in place, so a transfer can reuse one buffer per window slot. */
export function writeDataHeader(buf: Uint8Array, block: number): void {
  buf[0] = 0;
  buf[1] = Opcode.DATA;
  buf[2] = (block >>> 8) & 0xff;
  buf[3] = block & 0xff;
}

export function encodeAck(block: number): Buffer {
  assertBlock(block);
  const out = Buffer.allocUnsafe(4);
  out.writeUInt16BE(Opcode.ACK, 0);
  out.writeUInt16BE(block, 2);
  return out;
}

/** ERROR: code and a human-readable NUL-terminated message (RFC 1350 §5). */
export function encodeError(code: number, message: string): Buffer {
  assertBlock(code);
  const body = zList([message]);
  const out = Buffer.allocUnsafe(4 + body.length);
  out.writeUInt16BE(Opcode.ERROR, 0);
  out.writeUInt16BE(code, 2);
  body.copy(out, 4);
  return out;
}

/** OACK: the options the server accepts, with the values it chose (RFC 2347). */
export function encodeOack(options: readonly TftpOption[]): Buffer {
  return withOpcode(Opcode.OACK, zList(flatOptions(options)));
}

/** Encode any packet (round-trip helper for tests and clients). */
export function encodePacket(p: TftpPacket): Buffer {
  switch (p.op) {
    case 'rrq':
    case 'wrq':
      return encodeRequest(p);
    case 'data':
      return encodeData(p.block, p.data);
    case 'ack':
      return encodeAck(p.block);
    case 'error':
      return encodeError(p.code, p.message);
    case 'oack':
      return encodeOack(p.options);
  }
}

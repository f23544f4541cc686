/**
 * The TFTP request path: every datagram that reaches a listening socket goes
 * through {@link TftpSessions.handle}. It refuses what it must (writes, unsafe
 * names, unknown modes, too many transfers), asks the core for the file,
 * negotiates options and runs one {@link ReadTransfer} per client on its own
 * socket. Sockets come from an injected {@link SessionIo}, so tests and the
 * fuzzer can drive it without the network.
 */
import { pipeline, type Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { FileSource } from '../boot/spec.js';
import type { PixieEmitter } from '../events.js';
import type { TftpRequest } from '../hooks.js';
import { checkFilename, printableName } from './filename.js';
import { netasciiEncoder } from './netascii.js';
import { negotiate } from './options.js';
import { decodePacket, encodeError, encodeOack, Opcode, TftpErrorCode } from './packet.js';
import { TransferSlots } from './slots.js';
import { ReadTransfer, systemClock, type TransferClock, type TransferResult } from './transfer.js';

export interface Peer {
  readonly address: string;
  readonly port: number;
}

/** A transfer's own UDP socket (its TID), connected to the client. */
export interface TransferSocket {
  send(packet: Uint8Array, length: number): void;
  close(): void;
}

export interface SessionIo {
  /** Open a socket on `local` (port chosen by the OS) that talks to `peer` only. */
  openSocket(local: string, peer: Peer, on: { message(msg: Buffer): void; error(err: Error): void }): Promise<TransferSocket>;
  readonly clock?: TransferClock | undefined;
}

export interface SessionConfig {
  readonly log: Logger;
  readonly events: PixieEmitter;
  resolve(req: TftpRequest): Promise<FileSource | undefined>;
  readonly maxTransfers: number;
  readonly retransmitMs: number;
  readonly maxRetries: number;
  readonly idleTimeoutMs: number;
  readonly maxBlksize: number;
  readonly maxWindowsize: number;
}

/** Counters for the status page and tests. */
export interface SessionCounters {
  malformed: number;
  refused: number;
  served: number;
  failed: number;
}

interface Session {
  transfer?: ReadTransfer;
  /** The slot was given back early: all data is sent, only the final ACK is awaited. */
  slotFreed?: boolean;
}

/** Bad-input log lines: bursts of up to this many, then about one a second. */
const BAD_INPUT_LOG_BURST = 20;

export class TftpSessions {
  readonly counters: SessionCounters = { malformed: 0, refused: 0, served: 0, failed: 0 };
  private readonly sessions = new Map<string, Session>();
  private readonly slots: TransferSlots;
  private closed = false;
  private logTokens = BAD_INPUT_LOG_BURST;
  private logTokensAt = performance.now();
  private suppressedBadInput = 0;

  constructor(
    private readonly cfg: SessionConfig,
    private readonly io: SessionIo,
  ) {
    this.slots = new TransferSlots(cfg.maxTransfers, cfg.idleTimeoutMs, io.clock ?? systemClock);
  }

  /** Transfers running, being set up (resolving, opening a socket) or awaiting their final ACK. */
  get active(): number {
    return this.sessions.size;
  }

  /**
   * One datagram from `peer` that arrived at our address `local`; `reply`
   * answers from the listening socket. Never throws or rejects.
   */
  async handle(msg: Buffer, peer: Peer, local: string, reply: (packet: Buffer) => void): Promise<void> {
    try {
      await this.dispatch(msg, peer, local, reply);
    } catch (err) {
      this.cfg.log.error({ err, client: `${peer.address}:${peer.port}` }, 'tftp: unexpected failure handling a request');
    }
  }

  /** Accept requests again after {@link closeAll} (a server restarted with start()). */
  reopen(): void {
    this.closed = false;
  }

  /** Stop accepting requests and end every transfer (clients get ERROR 0). */
  closeAll(): void {
    this.closed = true;
    this.slots.reset();
    for (const s of this.sessions.values()) s.transfer?.abort('server shutting down');
    this.sessions.clear();
    this.slots.reset();
  }

  /** Forget a session and free its slot. */
  private release(client: string, session: Session): void {
    if (this.sessions.get(client) !== session) return;
    this.sessions.delete(client);
    this.freeSlot(session);
  }

  /**
   * Give a session's slot back. Done early, once the last block is out: the
   * cap protects open files and read-ahead buffers, and a transfer that only
   * waits for its final ACK (which a client may never send) holds neither.
   */
  private freeSlot(session: Session): void {
    if (session.slotFreed) return;
    session.slotFreed = true;
    this.slots.release();
  }

  private async dispatch(msg: Buffer, peer: Peer, local: string, reply: (packet: Buffer) => void): Promise<void> {
    if (this.closed) return;
    const client = `${peer.address}:${peer.port}`;
    const decoded = decodePacket(msg);
    if (!decoded.ok) {
      this.counters.malformed++;
      this.badInput(client, `malformed packet dropped: ${decoded.error}`);
      // Answer broken requests (and unknown opcodes) so the client stops
      // waiting; broken DATA/ACK/ERROR/OACK get nothing, like valid ones here
      // (and never an ERROR for an ERROR: no ping-pong).
      const op = decoded.opcode;
      if (op !== undefined && (op === Opcode.RRQ || op === Opcode.WRQ || op > Opcode.OACK || op === 0)) {
        reply(encodeError(TftpErrorCode.ILLEGAL_OPERATION, decoded.error));
      }
      return;
    }
    const p = decoded.packet;
    if (p.op === 'wrq') {
      this.refuse(reply, client, TftpErrorCode.ACCESS_VIOLATION, 'server is read-only', `write request for "${printableName(p.filename)}" refused (read-only)`);
      return;
    }
    if (p.op !== 'rrq') {
      // DATA/ACK/ERROR/OACK belong on a transfer's own port, not here.
      this.counters.malformed++;
      this.badInput(client, `unexpected ${p.op.toUpperCase()} on the listening port dropped`);
      return;
    }
    if (p.mode !== 'octet' && p.mode !== 'netascii') {
      this.refuse(reply, client, TftpErrorCode.ILLEGAL_OPERATION, 'unsupported mode', `request in mode "${printableName(p.mode)}" refused`);
      return;
    }
    const name = checkFilename(p.filename);
    if (!name.ok) {
      this.refuse(reply, client, TftpErrorCode.ACCESS_VIOLATION, 'access violation', `unsafe name "${printableName(p.filename)}" refused: ${name.reason}`);
      return;
    }
    if (this.sessions.has(client) || this.slots.isWaiting(client)) {
      // A retransmitted RRQ while we wait, resolve or already send: the first one is answered.
      this.cfg.log.debug({ client, filename: name.name }, 'tftp: repeated request ignored');
      return;
    }
    if (!(await this.slots.acquire(client)) || this.closed) {
      if (this.closed) return;
      this.refuse(reply, client, TftpErrorCode.NOT_DEFINED, 'server busy, try again', `busy: ${this.cfg.maxTransfers} transfers running, "${name.name}" refused`);
      return;
    }
    const session: Session = {};
    this.sessions.set(client, session);
    try {
      await this.serve(session, name.name, p.mode === 'netascii', p.options, peer, local, reply);
    } finally {
      if (!session.transfer) this.release(client, session);
    }
  }

  private async serve(
    session: Session,
    filename: string,
    netascii: boolean,
    options: Parameters<typeof negotiate>[0],
    peer: Peer,
    local: string,
    reply: (packet: Buffer) => void,
  ): Promise<void> {
    const { log, events } = this.cfg;
    const client = `${peer.address}:${peer.port}`;
    const failed = (message: string, code: number, clientText: string, send = reply) => {
      this.counters.failed++;
      send(encodeError(code, clientText));
      events.emit('tftp:error', { filename, client, message });
    };

    let source: FileSource | undefined;
    try {
      source = await this.cfg.resolve({ filename, client: { address: peer.address, port: peer.port }, serverAddress: local });
    } catch (err) {
      log.error({ err, client, filename }, `tftp: resolving "${filename}" failed`);
      failed(`resolve failed: ${err instanceof Error ? err.message : String(err)}`, TftpErrorCode.NOT_DEFINED, 'internal error');
      return;
    }
    if (this.closed) return;
    if (!source) {
      log.info({ client, filename }, `tftp: "${filename}" not found`);
      failed('file not found', TftpErrorCode.FILE_NOT_FOUND, 'file not found');
      return;
    }

    const neg = negotiate(options, this.cfg, netascii ? undefined : source.size);
    let socket;
    try {
      socket = await this.io.openSocket(local, peer, {
        message: (msg) => session.transfer?.receive(msg),
        error: (err) => session.transfer?.abort(`socket error: ${err.message}`, true),
      });
    } catch (err) {
      log.error({ err, client, filename }, `tftp: cannot open a transfer socket on ${local}`);
      failed('cannot open a transfer socket', TftpErrorCode.NOT_DEFINED, 'internal error');
      return;
    }
    const sock = socket;
    const toClient = (packet: Buffer) => sock.send(packet, packet.length);

    let stream: Readable;
    try {
      const raw = await source.open();
      stream = netascii ? pipeline(raw, netasciiEncoder(), () => undefined) : raw;
    } catch (err) {
      log.error({ err, client, filename }, `tftp: opening "${filename}" failed`);
      failed(`open failed: ${err instanceof Error ? err.message : String(err)}`, TftpErrorCode.NOT_DEFINED, 'read error', toClient);
      sock.close();
      return;
    }
    if (this.closed) {
      stream.destroy();
      sock.close();
      return;
    }

    const timeoutMs = neg.timeoutS !== undefined ? neg.timeoutS * 1000 : this.cfg.retransmitMs;
    const transfer = new ReadTransfer(
      {
        source: stream,
        blksize: neg.blksize,
        windowsize: neg.windowsize,
        retransmitMs: timeoutMs,
        maxRetries: this.cfg.maxRetries,
        idleTimeoutMs: Math.max(this.cfg.idleTimeoutMs, timeoutMs),
        oack: neg.oack.length > 0 ? encodeOack(neg.oack) : undefined,
        send: (packet, length) => sock.send(packet, length),
        clock: this.io.clock,
        onAllSent: () => {
          if (this.sessions.get(client) === session) this.freeSlot(session);
        },
      },
      (result) => {
        sock.close();
        this.release(client, session);
        this.report(result, filename, client, neg.blksize, neg.windowsize);
      },
    );
    session.transfer = transfer;
    events.emit('tftp:start', { filename, client, blksize: neg.blksize, windowsize: neg.windowsize, tsize: neg.tsize });
    log.debug({ client, filename, blksize: neg.blksize, windowsize: neg.windowsize, tsize: neg.tsize }, `tftp: sending "${filename}"`);
    transfer.start();
  }

  private report(r: TransferResult, filename: string, client: string, blksize: number, windowsize: number): void {
    const { log, events } = this.cfg;
    const facts = { client, filename, bytes: r.bytes, durationMs: Math.round(r.durationMs), blksize, windowsize, retransmits: r.retransmits };
    if (r.ok) {
      this.counters.served++;
      events.emit('tftp:done', { filename, client, bytes: r.bytes, durationMs: r.durationMs, blksize, windowsize, retransmits: r.retransmits });
      log.info(facts, `tftp: sent "${filename}" to ${client} (${r.bytes} bytes)`);
      return;
    }
    if (r.reason === 'client-declined') {
      // PXE ROMs probe tsize, then cancel with an ERROR and ask again: normal.
      log.debug({ ...facts, reason: r.message }, `tftp: ${client} declined the options for "${filename}"`);
      return;
    }
    this.counters.failed++;
    events.emit('tftp:error', { filename, client, message: r.message });
    log.warn({ ...facts, reason: r.reason }, `tftp: sending "${filename}" to ${client} failed: ${r.message}`);
  }

  private refuse(reply: (packet: Buffer) => void, client: string, code: number, clientText: string, logText: string): void {
    this.counters.refused++;
    reply(encodeError(code, clientText));
    this.badInput(client, logText);
  }

  /** A warning per bad request, rate-limited (a flood is counted, not logged line by line). */
  private badInput(client: string, text: string): void {
    const now = performance.now();
    this.logTokens = Math.min(BAD_INPUT_LOG_BURST, this.logTokens + (now - this.logTokensAt) / 1000);
    this.logTokensAt = now;
    if (this.logTokens < 1) {
      this.suppressedBadInput++;
      return;
    }
    this.logTokens -= 1;
    const suppressed = this.suppressedBadInput;
    this.suppressedBadInput = 0;
    this.cfg.log.warn({ client, suppressed }, `tftp: ${text}${suppressed ? ` (${suppressed} similar messages suppressed)` : ''}`);
  }
}

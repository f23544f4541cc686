/**
 * One read transfer, as a state machine with its I/O and clock injected so it
 * can be driven by a fake clock in tests.
 *
 * - Lock-step (RFC 1350) is windowed sending with a window of 1; with a
 *   negotiated windowsize (RFC 7440 §4) up to `windowsize` DATA blocks are in
 *   flight and the client ACKs the last one (or the last in-order one when it
 *   saw a gap: we then resend from the block after it).
 * - A repeated ACK never causes a send (no Sorcerer's Apprentice, RFC 1123
 *   §4.2.3.1): only our own retransmission timer resends, and it backs off
 *   (doubling, up to {@link MAX_BACKOFF_MS}) while nothing moves. Backing off
 *   matters: some clients (atftp) re-ACK only when their own timer fires, and
 *   a server that keeps resending faster than that keeps them from ever firing.
 * - Block numbers are 16 bits and wrap to 0 after 65535 (what tftp-hpa, atftp,
 *   curl and iPXE expect); internally blocks are counted without wrapping.
 * - Data is pulled from a Readable with backpressure: at most a bounded amount
 *   is buffered, so memory stays flat whatever the file size. Each window slot
 *   owns one preallocated DATA buffer that is reused for every block.
 */
import type { Readable } from 'node:stream';
import { ByteQueue } from './byte-queue.js';
import { ackBlock, DATA_HEADER, decodePacket, encodeError, TftpErrorCode, writeDataHeader } from './packet.js';

/** The retransmission interval doubles per silent timeout up to this (or retransmitMs, if larger). */
export const MAX_BACKOFF_MS = 5000;

/** Time and timers, swappable for tests. `now()` is in milliseconds and must not go backwards. */
export interface TransferClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real clock: monotonic time and unref'd Node timers. */
export const systemClock: TransferClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface TransferOptions {
  /** The bytes to send (already netascii-encoded when that mode was asked for). */
  readonly source: Readable;
  readonly blksize: number;
  readonly windowsize: number;
  /** Resend unacknowledged packets after this long without an ACK (doubling while nothing moves). */
  readonly retransmitMs: number;
  /** Give up after this many timeouts in a row without progress. */
  readonly maxRetries: number;
  /** Give up after this long without progress (client gone, source stalled). */
  readonly idleTimeoutMs: number;
  /** Pre-encoded OACK to send first (then wait for ACK 0), or undefined to start with DATA 1. */
  readonly oack?: Uint8Array | undefined;
  /** Send one datagram to the client: the first `length` bytes of `packet`. */
  send(packet: Uint8Array, length: number): void;
  readonly clock?: TransferClock | undefined;
  /** Called once when the last block has gone out (only its ACK is awaited from then on). */
  readonly onAllSent?: (() => void) | undefined;
}

export interface TransferStats {
  /** Payload bytes handed to the network (each block counted once). */
  readonly bytes: number;
  /** DATA blocks in the file (the last one may be short or empty). */
  readonly blocks: number;
  /** Packets sent again after a timeout or a gap report. */
  readonly retransmits: number;
  readonly durationMs: number;
}

/**
 * Why a transfer ended early. `client-declined` is an ERROR from the client in
 * answer to our OACK: PXE ROMs do this on purpose after a tsize probe.
 */
export type TransferFailure = 'timeout' | 'idle' | 'client-declined' | 'client-error' | 'source-error' | 'aborted';

export type TransferResult =
  | (TransferStats & { readonly ok: true })
  | (TransferStats & { readonly ok: false; readonly reason: TransferFailure; readonly message: string });

type Phase = 'idle' | 'oack' | 'data' | 'done';

/** A read transfer. Feed it the client's datagrams with {@link ReadTransfer.receive}. */
export class ReadTransfer {
  private readonly clock: TransferClock;
  private readonly slots: Buffer[] = [];
  private readonly lens: Int32Array;
  private readonly highWater: number;
  private phase: Phase = 'idle';
  /** Highest block the client acknowledged (unwrapped). */
  private acked = 0;
  /** Next block to fill and send (unwrapped). */
  private next = 1;
  /** The last block of the file once it has been filled, else -1. */
  private final = -1;
  private bytes = 0;
  private retransmits = 0;
  private retries = 0;
  private readonly queue = new ByteQueue();
  private ended = false;
  private paused = false;
  private timer: unknown = undefined;
  private timerAt = 0;
  private startedAt = 0;
  private lastSendAt = 0;
  private lastProgressAt = 0;

  constructor(
    private readonly o: TransferOptions,
    private readonly onEnd: (result: TransferResult) => void,
  ) {
    this.clock = o.clock ?? systemClock;
    const slotSize = DATA_HEADER + o.blksize;
    const slab = Buffer.allocUnsafe(slotSize * o.windowsize);
    for (let i = 0; i < o.windowsize; i++) this.slots.push(slab.subarray(i * slotSize, (i + 1) * slotSize));
    this.lens = new Int32Array(o.windowsize);
    // Buffer a few windows ahead (at least 128 KiB), never the whole file.
    this.highWater = Math.max(128 * 1024, 4 * o.blksize * o.windowsize);
  }

  /** Whether the transfer has ended (successfully or not). */
  get done(): boolean {
    return this.phase === 'done';
  }

  /** Send the OACK or the first window, and start reading the source. */
  start(): void {
    if (this.phase !== 'idle') return;
    const now = this.clock.now();
    this.startedAt = this.lastProgressAt = this.lastSendAt = now;
    const src = this.o.source;
    src.on('data', this.onData);
    src.on('end', this.onSourceEnd);
    src.on('error', this.onSourceError);
    if (this.o.oack) {
      this.phase = 'oack';
      this.o.send(this.o.oack, this.o.oack.length);
      this.schedule();
    } else {
      this.phase = 'data';
      this.pump();
    }
  }

  /** A datagram from the client's transfer ID. Anything but ACK/ERROR is ignored. */
  receive(msg: Uint8Array): void {
    if (this.phase === 'done' || this.phase === 'idle') return;
    const block = ackBlock(msg);
    if (block >= 0) {
      this.onAck(block);
      return;
    }
    const d = decodePacket(msg);
    if (d.ok && d.packet.op === 'error') {
      const reason = this.phase === 'oack' ? 'client-declined' : 'client-error';
      this.finish({ ok: false, reason, message: `client sent error ${d.packet.code}: ${d.packet.message}`, ...this.stats() });
    }
  }

  /** End the transfer now; unless `quiet`, tell the client with ERROR 0. */
  abort(message: string, quiet = false): void {
    this.fail('aborted', message, quiet ? undefined : message);
  }

  private onAck(wire: number): void {
    if (this.phase === 'oack') {
      // RFC 2347: the client confirms the OACK with ACK 0; data starts at block 1.
      if (wire !== 0) return;
      this.phase = 'data';
      this.progress();
      this.pump();
      return;
    }
    // Map the 16-bit number onto the blocks in flight (acked+1 .. next-1).
    const delta = (wire - this.acked) & 0xffff;
    if (delta === 0) return; // repeated ACK: never answered (Sorcerer's Apprentice)
    const block = this.acked + delta;
    if (block >= this.next) return; // an ACK for nothing we sent: stale or bogus
    this.acked = block;
    this.progress();
    if (block === this.final) {
      this.finish({ ok: true, ...this.stats() });
      return;
    }
    // RFC 7440 §4: an ACK short of the last block sent reports a gap; the next
    // window starts right after it, so resend what the client is missing.
    if (block < this.next - 1) this.resend();
    this.pump();
  }

  private progress(): void {
    this.retries = 0;
    this.lastProgressAt = this.clock.now();
  }

  /** Fill and send new blocks while the window has room and data is ready. */
  private pump(): void {
    if (this.phase !== 'data') return;
    const { blksize, windowsize } = this.o;
    const limit = this.acked + windowsize;
    let sent = false;
    while (this.final < 0 && this.next <= limit && (this.queue.length >= blksize || this.ended)) {
      const slot = this.next % windowsize;
      const buf = this.slots[slot]!;
      const n = this.queue.take(buf, DATA_HEADER, blksize);
      writeDataHeader(buf, this.next & 0xffff);
      this.lens[slot] = n;
      this.bytes += n;
      this.o.send(buf, DATA_HEADER + n);
      if (n < blksize) {
        this.final = this.next;
        this.o.onAllSent?.();
      }
      this.next++;
      sent = true;
    }
    if (sent) this.lastSendAt = this.clock.now();
    if (this.paused && this.queue.length < this.highWater / 2) {
      this.paused = false;
      this.o.source.resume();
    }
    this.schedule();
  }

  /** Resend every block in flight (acked+1 .. next-1) from its slot. */
  private resend(): void {
    const { windowsize } = this.o;
    for (let b = this.acked + 1; b < this.next; b++) {
      const slot = b % windowsize;
      this.o.send(this.slots[slot]!, DATA_HEADER + this.lens[slot]!);
      this.retransmits++;
    }
    this.lastSendAt = this.clock.now();
  }

  private readonly onData = (chunk: unknown): void => {
    if (this.phase === 'done') return;
    const buf = Buffer.isBuffer(chunk)
      ? chunk
      : chunk instanceof Uint8Array
        ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length)
        : typeof chunk === 'string'
          ? Buffer.from(chunk)
          : undefined;
    if (!buf) {
      this.fail('source-error', 'the file source produced something other than bytes', 'read error');
      return;
    }
    if (buf.length === 0) return;
    this.queue.push(buf);
    if (!this.paused && this.queue.length >= this.highWater) {
      this.paused = true;
      this.o.source.pause();
    }
    this.pump();
  };

  private readonly onSourceEnd = (): void => {
    this.ended = true;
    this.pump();
  };

  private readonly onSourceError = (err: Error): void => {
    if (this.phase === 'done') return;
    this.fail('source-error', `reading the file failed: ${err.message}`, 'read error');
  };

  /** The current retransmission interval: retransmitMs, doubled per silent timeout so far. */
  private rto(): number {
    const base = this.o.retransmitMs;
    return Math.min(base * 2 ** this.retries, Math.max(base, MAX_BACKOFF_MS));
  }

  private inFlight(): boolean {
    return this.phase === 'oack' || this.next - 1 > this.acked;
  }

  /**
   * Keep one timer for both deadlines (retransmission and idle). It is only
   * re-armed when it would fire too late; firing early just reschedules, so
   * the hot path does not churn timers on every ACK.
   */
  private schedule(): void {
    if (this.phase === 'done') return;
    const due = Math.min(this.inFlight() ? this.lastSendAt + this.rto() : Infinity, this.lastProgressAt + this.o.idleTimeoutMs);
    if (this.timer !== undefined) {
      if (this.timerAt <= due) return;
      this.clock.clearTimeout(this.timer);
    }
    this.timerAt = due;
    this.timer = this.clock.setTimeout(this.onTimer, Math.max(0, due - this.clock.now()));
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    if (this.phase === 'done') return;
    const now = this.clock.now();
    if (now - this.lastProgressAt >= this.o.idleTimeoutMs) {
      this.fail('idle', `no progress for ${this.o.idleTimeoutMs} ms`, 'transfer timed out');
      return;
    }
    if (this.inFlight() && now - this.lastSendAt >= this.rto()) {
      if (++this.retries > this.o.maxRetries) {
        this.fail('timeout', `no ACK after ${this.o.maxRetries} retransmissions`, 'transfer timed out');
        return;
      }
      if (this.phase === 'oack' && this.o.oack) {
        this.o.send(this.o.oack, this.o.oack.length);
        this.retransmits++;
        this.lastSendAt = now;
      } else {
        this.resend();
      }
    }
    this.schedule();
  };

  private stats(): TransferStats {
    return {
      bytes: this.bytes,
      blocks: this.final > 0 ? this.final : this.next - 1,
      retransmits: this.retransmits,
      durationMs: this.clock.now() - this.startedAt,
    };
  }

  private fail(reason: TransferFailure, message: string, tellClient: string | undefined): void {
    if (this.phase === 'done') return;
    if (tellClient !== undefined && this.phase !== 'idle') {
      const packet = encodeError(TftpErrorCode.NOT_DEFINED, tellClient);
      this.o.send(packet, packet.length);
    }
    this.finish({ ok: false, reason, message, ...this.stats() });
  }

  private finish(result: TransferResult): void {
    if (this.phase === 'done') return;
    this.phase = 'done';
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const src = this.o.source;
    src.off('data', this.onData);
    src.off('end', this.onSourceEnd);
    // The error listener stays (it ignores everything now): a late error from
    // a destroyed stream must not become an uncaught exception.
    src.destroy();
    this.queue.clear();
    this.onEnd(result);
  }
}

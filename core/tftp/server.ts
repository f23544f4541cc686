/**
 * The TFTP server (read-only): listening sockets from `listeners.ts`, the
 * request path in `sessions.ts`, one `transfer.ts` state machine and one
 * ephemeral UDP socket per transfer. The core wires it: `resolve` runs the
 * `tftp:request` hook.
 */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from 'pino';
import type { FileSource } from '../boot/spec.js';
import type { PixieEmitter } from '../events.js';
import type { TftpRequest } from '../hooks.js';
import { listen, type Listeners } from './listeners.js';
import { HARD_MAX_WINDOWSIZE, MAX_BLKSIZE, MIN_BLKSIZE } from './options.js';
import { TftpSessions, type Peer, type SessionIo, type TransferSocket } from './sessions.js';

export interface TftpServerOptions {
  /** Address to listen on, e.g. `0.0.0.0` (every local address) or `127.0.0.1`. */
  listenAddr: string;
  /** UDP port; 69 by default in the core. 0 picks a free port (tests). */
  port: number;
  log: Logger;
  /** Receives `tftp:start`, `tftp:done` and `tftp:error`. */
  events: PixieEmitter;
  /** Core callback: runs the tftp:request hook. undefined => TFTP error 1 "File not found". */
  resolve(req: TftpRequest): Promise<FileSource | undefined>;
  /** Concurrent transfers (including ones still resolving); more get ERROR 0 "server busy". Default 64. */
  maxTransfers?: number;
  /** Retransmission timeout; a client's `timeout` option overrides it. Default 1000. */
  retransmitMs?: number;
  /** Retransmissions in a row without progress before giving up. Default 5. */
  maxRetries?: number;
  /** A transfer with no progress for this long is dropped (client gone). Default 10000. */
  idleTimeoutMs?: number;
  /**
   * Largest blksize granted. Default 1468: a 1500-byte Ethernet MTU minus the
   * IPv4 (20), UDP (8) and TFTP (4) headers, so DATA never needs IP
   * fragmentation, which many PXE ROMs cannot reassemble.
   */
  maxBlksize?: number;
  /**
   * Largest windowsize granted (RFC 7440). Default 16: most of the gain of
   * windowing at LAN round-trip times, a burst (16 × 1472 B ≈ 23 KiB) that
   * fits easily in default socket buffers of small clients, and at most 16
   * blocks to resend after a loss.
   */
  maxWindowsize?: number;
}

export interface TftpServer {
  start(): Promise<void>;
  stop(): Promise<void>;
  address(): { address: string; port: number };
  /** Transfers running or being set up. */
  readonly activeTransfers: number;
}

export const TFTP_DEFAULTS = {
  maxTransfers: 64,
  retransmitMs: 1000,
  maxRetries: 5,
  idleTimeoutMs: 10_000,
  maxBlksize: 1468,
  maxWindowsize: 16,
} as const;

/** Open the ephemeral socket of one transfer: bound to `local`, connected to the client. */
async function openTransferSocket(local: string, peer: Peer, on: { message(msg: Buffer): void; error(err: Error): void }): Promise<TransferSocket> {
  const sock = dgram.createSocket({ type: isIPv6(local.replace(/%.*$/, '')) ? 'udp6' : 'udp4' });
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind({ address: local, port: 0, exclusive: true }, () => {
        // A connected socket gets only the client's datagrams (its TID, RFC
        // 1350 §4) and learns of ICMP port-unreachable, i.e. a vanished client.
        sock.connect(peer.port, peer.address, () => {
          sock.off('error', reject);
          resolve();
        });
      });
    });
  } catch (err) {
    sock.close();
    throw err;
  }
  sock.on('message', (msg) => on.message(msg));
  sock.on('error', (err) => on.error(err));
  let open = true;
  return {
    send: (packet, length) => {
      if (!open) return;
      // A whole buffer goes out as is; dgram's offset/length form would slice a new view per packet.
      sock.send(length === packet.length ? packet : packet.subarray(0, length));
    },
    close: () => {
      if (!open) return;
      open = false;
      sock.close();
    },
  };
}

function clampInt(value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.min(Math.max(Math.trunc(value), min), max);
}

/** Create the TFTP server; nothing listens until `start()`. */
export function createTftpServer(opts: TftpServerOptions): TftpServer {
  const sessions = new TftpSessions(
    {
      log: opts.log,
      events: opts.events,
      resolve: (req) => opts.resolve(req),
      maxTransfers: clampInt(opts.maxTransfers, TFTP_DEFAULTS.maxTransfers, 1, 100_000),
      retransmitMs: clampInt(opts.retransmitMs, TFTP_DEFAULTS.retransmitMs, 1, 255_000),
      maxRetries: clampInt(opts.maxRetries, TFTP_DEFAULTS.maxRetries, 0, 1000),
      idleTimeoutMs: clampInt(opts.idleTimeoutMs, TFTP_DEFAULTS.idleTimeoutMs, 1, 3_600_000),
      maxBlksize: clampInt(opts.maxBlksize, TFTP_DEFAULTS.maxBlksize, MIN_BLKSIZE, MAX_BLKSIZE),
      maxWindowsize: clampInt(opts.maxWindowsize, TFTP_DEFAULTS.maxWindowsize, 1, HARD_MAX_WINDOWSIZE),
    },
    { openSocket: openTransferSocket } satisfies SessionIo,
  );
  let listeners: Listeners | undefined;

  return {
    async start() {
      if (listeners) return;
      sessions.reopen();
      listeners = await listen({
        listenAddr: opts.listenAddr,
        port: opts.port,
        log: opts.log,
        onMessage: (msg, peer, local, reply) => void sessions.handle(msg, peer, local, reply),
      });
      opts.log.info({ address: opts.listenAddr, port: listeners.port }, `tftp: listening on ${opts.listenAddr}:${listeners.port}`);
    },
    async stop() {
      const l = listeners;
      listeners = undefined;
      sessions.closeAll();
      await l?.close();
    },
    address() {
      return { address: opts.listenAddr, port: listeners?.port ?? opts.port };
    },
    get activeTransfers() {
      return sessions.active;
    },
  };
}

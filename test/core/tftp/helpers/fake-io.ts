/**
 * In-memory stand-ins for the TFTP server's sockets, log and events, so the
 * request path (`TftpSessions`) can be driven without a network.
 */
import { Readable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { FileSource } from '../../../../core/boot/spec.js';
import { createEvents, type PixieEmitter, type PixieEvents } from '../../../../core/events.js';
import type { TftpRequest } from '../../../../core/hooks.js';
import { decodePacket, type TftpPacket } from '../../../../core/tftp/packet.js';
import { TftpSessions, type Peer, type SessionConfig, type SessionIo } from '../../../../core/tftp/sessions.js';
import type { TransferClock } from '../../../../core/tftp/transfer.js';

export interface FakeSocket {
  local: string;
  peer: Peer;
  sent: TftpPacket[];
  closed: boolean;
  deliver(msg: Buffer): void;
  fail(err: Error): void;
}

export function fakeIo(clock?: TransferClock): SessionIo & { sockets: FakeSocket[] } {
  const sockets: FakeSocket[] = [];
  return {
    sockets,
    clock,
    openSocket(local, peer, on) {
      const s: FakeSocket = {
        local,
        peer,
        sent: [],
        closed: false,
        deliver: (msg) => on.message(msg),
        fail: (err) => on.error(err),
      };
      sockets.push(s);
      return Promise.resolve({
        send(packet, length) {
          const d = decodePacket(Buffer.from(packet.subarray(0, length)));
          if (!d.ok) throw new Error(`server sent garbage: ${d.error}`);
          s.sent.push(d.packet);
        },
        close() {
          s.closed = true;
        },
      });
    },
  };
}

export interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

export function sinkLogger(): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) });
  return { log, lines };
}

export function recordEvents(events: PixieEmitter): Array<{ type: string; payload: unknown }> {
  const seen: Array<{ type: string; payload: unknown }> = [];
  for (const type of ['tftp:start', 'tftp:done', 'tftp:error'] as const) {
    events.on(type, (payload: PixieEvents[typeof type]) => void seen.push({ type, payload }));
  }
  return seen;
}

/** A FileSource over an in-memory buffer. */
export function memorySource(content: Buffer): FileSource {
  return { size: content.length, open: () => Readable.from([content]) };
}

/** Sessions wired to fakes; `files` maps checked names to content. */
export function fakeSessions(files: Record<string, Buffer>, over: Partial<SessionConfig> = {}, clock?: TransferClock) {
  const { log, lines } = sinkLogger();
  const events = createEvents(log);
  const seen = recordEvents(events);
  const requests: TftpRequest[] = [];
  const io = fakeIo(clock);
  const sessions = new TftpSessions(
    {
      log,
      events,
      resolve: (req) => {
        requests.push(req);
        const f = Object.hasOwn(files, req.filename) ? files[req.filename] : undefined;
        return Promise.resolve(f ? memorySource(f) : undefined);
      },
      maxTransfers: 64,
      retransmitMs: 1000,
      maxRetries: 3,
      idleTimeoutMs: 10_000,
      maxBlksize: 1468,
      maxWindowsize: 16,
      ...over,
    },
    io,
  );
  const replies: TftpPacket[] = [];
  const reply = (packet: Buffer) => {
    const d = decodePacket(packet);
    if (!d.ok) throw new Error(d.error);
    replies.push(d.packet);
  };
  const peer = (port = 40000): Peer => ({ address: '192.0.2.10', port });
  const handle = (msg: Buffer, port = 40000) => sessions.handle(msg, peer(port), '192.0.2.1', reply);
  return { sessions, io, replies, handle, lines, events: seen, requests };
}

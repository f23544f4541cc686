/**
 * Observability events (mitt). Events report facts; they never decide.
 * Listeners are isolated: one that throws (or rejects) is logged and the
 * boot goes on.
 */
import mittImport from 'mitt';
import type { Emitter } from 'mitt';
import type { Logger } from 'pino';
import type { Machine } from './boot/machine.js';

type MachineRef = Pick<Machine, 'mac'> & Partial<Pick<Machine, 'arch' | 'firmware' | 'stage'>>;

export type PixieEvents = {
  'dhcp:discover': { machine: Machine; port: number; messageType: string };
  'dhcp:offer': { machine: Machine; port: number; bootFile: string; serverAddress: string };
  'boot:decided': { machine: MachineRef; cached: boolean };
  'boot:ignored': { machine: MachineRef; reason: string };
  'tftp:start': { filename: string; client: string; blksize: number; windowsize: number; tsize?: number | undefined };
  'tftp:done': {
    filename: string;
    client: string;
    bytes: number;
    durationMs: number;
    blksize: number;
    windowsize: number;
    retransmits: number;
  };
  'tftp:error': { filename: string; client: string; message: string };
  'file:served': { kind: string; mac?: string | undefined; bytes: number; durationMs: number; status: number };
  'machine:booting': { machine: MachineRef };
  'machine:booted': { machine: MachineRef };
  error: { where: string; error: Error };
};

export type EventName = keyof PixieEvents;
export type Handler<K extends EventName> = (payload: PixieEvents[K]) => void | Promise<void>;

export interface PixieEmitter {
  on<K extends EventName>(type: K, handler: Handler<K>): () => void;
  off<K extends EventName>(type: K, handler: Handler<K>): void;
  emit<K extends EventName>(type: K, payload: PixieEvents[K]): void;
}

/** One emitter per pixie instance; `log` receives listener failures. */
export function createEvents(log: Pick<Logger, 'error'>): PixieEmitter {
  // mitt's typings predate NodeNext: its ESM default export is typed as the module.
  const mitt = mittImport as unknown as <E extends Record<string, unknown>>() => Emitter<E>;
  const bus = mitt<PixieEvents>();
  const wrapped = new Map<unknown, Map<string, (p: never) => void>>();

  const report = (type: string, err: unknown) =>
    log.error({ event: type, err }, `event listener for ${type} failed: ${err instanceof Error ? err.message : String(err)}`);

  return {
    on(type, handler) {
      const safe = (payload: PixieEvents[typeof type]) => {
        try {
          const r = handler(payload);
          if (r && typeof r.then === 'function') r.then(undefined, (e: unknown) => report(type, e));
        } catch (e) {
          report(type, e);
        }
      };
      let byType = wrapped.get(handler);
      if (!byType) wrapped.set(handler, (byType = new Map<string, (p: never) => void>()));
      byType.set(type, safe);
      bus.on(type, safe);
      return () => this.off(type, handler);
    },
    off(type, handler) {
      const safe = wrapped.get(handler)?.get(type);
      if (!safe) return;
      wrapped.get(handler)?.delete(type);
      bus.off(type, safe as never);
    },
    emit(type, payload) {
      bus.emit(type, payload);
    },
  };
}

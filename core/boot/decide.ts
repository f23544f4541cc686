/**
 * Boot decisions with a short per-machine cache. `boot:decide` is asked at
 * several steps of one boot (PXE DISCOVER, its retries, iPXE's DISCOVER, the
 * script fetch); the answer — BootSpec or "ignore" — is kept for
 * `ttlMs` per MAC and architecture, and concurrent asks share one call, so a
 * slow booter (an HTTP API) is asked once per boot.
 */
import type { Logger } from 'pino';
import type { PixieHooks } from '../hooks.js';
import type { PixieEmitter } from '../events.js';
import type { Machine } from './machine.js';
import type { BootSpec } from './spec.js';

export interface Decider {
  /**
   * The machine's BootSpec, or null to ignore it. Rejects (after logging)
   * when a tap threw: the DHCP side stays silent, the script route answers 500.
   */
  decide(machine: Machine): Promise<BootSpec | null>;
  /** Forget cached decisions (all, or one MAC). */
  forget(mac?: string): void;
  /**
   * Called by a tap while it decides: do not cache the decision being made
   * for this machine (e.g. it is "ignore" only because a remote service
   * failed for a moment). The next step of the boot asks again.
   */
  dontCache(machine: Pick<Machine, 'mac' | 'arch'>): void;
}

interface Entry {
  at: number;
  value: Promise<BootSpec | null>;
}

const MAX_ENTRIES = 10_000;

export function createDecider(hooks: PixieHooks, events: PixieEmitter, log: Logger, ttlMs: number, now = () => Date.now()): Decider {
  const cache = new Map<string, Entry>();
  /** Keys whose in-flight decision a tap asked not to cache. */
  const uncacheable = new Set<string>();
  const keyOf = (m: Pick<Machine, 'mac' | 'arch'>) => `${m.mac}/${m.arch}`;

  async function ask(machine: Machine): Promise<BootSpec | null> {
    try {
      const spec = await hooks['boot:decide'].promise(machine);
      if (spec === undefined) {
        events.emit('boot:ignored', { machine, reason: 'no plugin decided to boot it' });
        log.debug({ mac: machine.mac }, 'no plugin wants to boot this machine');
        return null;
      }
      if (spec === null) {
        events.emit('boot:ignored', { machine, reason: 'a plugin chose to ignore it' });
        log.debug({ mac: machine.mac }, 'machine ignored by a plugin');
        return null;
      }
      return spec;
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      log.error({ mac: machine.mac, err: error }, `boot decision failed, machine ignored: ${error.message}`);
      events.emit('error', { where: 'boot:decide', error });
      events.emit('boot:ignored', { machine, reason: `error: ${error.message}` });
      throw error;
    }
  }

  return {
    async decide(machine) {
      const key = keyOf(machine);
      const t = now();
      const hit = cache.get(key);
      if (hit && t - hit.at < ttlMs) {
        const value = await hit.value;
        if (value) events.emit('boot:decided', { machine, cached: true });
        return value;
      }
      const value = ask(machine);
      if (ttlMs > 0) {
        if (cache.size >= MAX_ENTRIES) {
          for (const [k, e] of cache) if (t - e.at >= ttlMs) cache.delete(k);
          if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
        }
        cache.set(key, { at: t, value });
        // A failed decision is not remembered: the next step asks again.
        value.then(
          () => {
            if (uncacheable.delete(key) && cache.get(key)?.value === value) cache.delete(key);
          },
          () => {
            uncacheable.delete(key);
            if (cache.get(key)?.value === value) cache.delete(key);
          },
        );
      }
      const spec = await value;
      if (spec) events.emit('boot:decided', { machine, cached: false });
      return spec;
    },
    dontCache(machine) {
      if (ttlMs > 0) uncacheable.add(keyOf(machine));
    },
    forget(mac) {
      if (mac === undefined) cache.clear();
      else for (const k of cache.keys()) if (k.startsWith(`${mac}/`)) cache.delete(k);
    },
  };
}

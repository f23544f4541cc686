/**
 * Admission control for transfers: at most `limit` run at once (counting
 * those still resolving their file). Requests beyond that wait in a FIFO
 * queue rather than being refused at once: a PXE ROM takes an ERROR as a
 * failed boot, and in a boot storm slots free up within moments. A freed
 * slot passes straight to the longest waiter, so newcomers cannot jump the
 * queue.
 */
import type { TransferClock } from './transfer.js';

/** Queue length per slot; beyond it, requests are refused ("server busy"). */
export const WAITERS_PER_SLOT = 4;

interface Waiter {
  readonly client: string;
  resolve(granted: boolean): void;
}

export class TransferSlots {
  private used = 0;
  private readonly queue: Waiter[] = [];

  /** `maxWaitMs`: a request waiting longer is refused (its client has given up by then). */
  constructor(
    private readonly limit: number,
    private readonly maxWaitMs: number,
    private readonly clock: TransferClock,
  ) {}

  /** Whether `client` (address:port) is already queued (a repeated request). */
  isWaiting(client: string): boolean {
    return this.queue.some((w) => w.client === client);
  }

  /** Resolves true once the caller holds a slot, false when refused. */
  acquire(client: string): Promise<boolean> {
    if (this.used < this.limit && this.queue.length === 0) {
      this.used++;
      return Promise.resolve(true);
    }
    if (this.queue.length >= WAITERS_PER_SLOT * this.limit) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        client,
        resolve: (granted) => {
          this.clock.clearTimeout(timer);
          resolve(granted);
        },
      };
      const timer = this.clock.setTimeout(() => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        resolve(false);
      }, this.maxWaitMs);
      this.queue.push(waiter);
    });
  }

  /** Give a slot back: it goes to the longest waiter, if any. */
  release(): void {
    const next = this.queue.shift();
    if (next) next.resolve(true);
    else this.used = Math.max(0, this.used - 1);
  }

  /** Refuse every waiter and forget all slots (server stopping). */
  reset(): void {
    for (const w of this.queue.splice(0)) w.resolve(false);
    this.used = 0;
  }
}

/**
 * Delivery to one URL: a bounded FIFO worked by a single loop, so events
 * arrive in the order they happened. A failed POST is retried with
 * exponential backoff and jitter; an event that runs out of attempts is given
 * up and the next one goes. When the queue is full the oldest waiting event
 * is dropped, counted and warned about (at most every few seconds).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { post, type Agents, type PostResult } from './post.js';

/** One event, serialised and signed once for every URL. */
export interface Delivery {
  readonly id: string;
  readonly event: string;
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export interface TargetOptions {
  readonly url: URL;
  /** How the URL appears in logs: scheme, host and port only (paths and queries often hold tokens). */
  readonly label: string;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly maxQueue: number;
  readonly agents: Agents;
  readonly log: Logger;
  /** Milliseconds between two "queue full" warnings. */
  readonly dropWarnEveryMs?: number;
}

export interface TargetStats {
  delivered: number;
  /** Given up after maxAttempts, or refused with a non-retryable status. */
  failed: number;
  /** Pushed out of a full queue, or still queued when the flush time ran out. */
  dropped: number;
  /** Waiting now, plus the one in flight. */
  pending: number;
}

/** Statuses worth another try: timeouts, throttling, server errors. */
const retryable = (r: PostResult) => !r.ok && (r.status === undefined || r.status === 408 || r.status === 429 || r.status >= 500);

/** Delay before attempt `n + 1`: base·2^(n-1), capped, with half of it random ("equal jitter"). */
export function backoffMs(n: number, baseMs: number, maxMs: number, random = Math.random): number {
  const full = Math.min(maxMs, baseMs * 2 ** Math.min(n - 1, 30));
  return Math.round(full / 2 + random() * (full / 2));
}

export class WebhookTarget {
  private readonly queue: Delivery[] = [];
  private inFlight = false;
  /** True while the loop runs; set and cleared synchronously with the queue checks. */
  private running = false;
  private worker: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly abort = new AbortController();
  private healthy = true;
  private lastDropWarn = -Infinity;
  private droppedSinceWarn = 0;
  private readonly counts = { delivered: 0, failed: 0, dropped: 0 };

  constructor(private readonly o: TargetOptions) {}

  get stats(): TargetStats {
    return { ...this.counts, pending: this.queue.length + (this.inFlight ? 1 : 0) };
  }

  /** Queue an event; never waits, never throws. */
  enqueue(d: Delivery): void {
    if (this.closed) return;
    if (this.queue.length >= this.o.maxQueue) {
      this.queue.shift();
      this.drop(1);
    }
    this.queue.push(d);
    if (!this.running) {
      this.running = true;
      this.worker = this.work();
    }
  }

  /** Stop taking events, deliver what is queued for up to `flushMs`, then abandon the rest. */
  async close(flushMs: number): Promise<void> {
    this.closed = true;
    if (this.running && flushMs > 0) {
      const timer = new AbortController();
      await Promise.race([this.worker, sleep(flushMs, undefined, { signal: timer.signal }).catch(() => undefined)]);
      timer.abort();
    }
    this.abort.abort();
    await this.worker;
    const left = this.queue.length;
    if (left > 0) {
      this.queue.length = 0;
      this.counts.dropped += left;
      this.o.log.warn({ url: this.o.label, dropped: left }, `webhook ${this.o.label}: ${left} event(s) not delivered before shutdown`);
    }
  }

  private drop(n: number): void {
    this.counts.dropped += n;
    this.droppedSinceWarn += n;
    const now = Date.now();
    if (now - this.lastDropWarn >= (this.o.dropWarnEveryMs ?? 10_000)) {
      this.o.log.warn(
        { url: this.o.label, dropped: this.counts.dropped, droppedNow: this.droppedSinceWarn, maxQueue: this.o.maxQueue },
        `webhook ${this.o.label}: queue full (${this.o.maxQueue}), dropped ${this.droppedSinceWarn} oldest event(s); ${this.counts.dropped} dropped so far`,
      );
      this.lastDropWarn = now;
      this.droppedSinceWarn = 0;
    }
  }

  private async work(): Promise<void> {
    for (;;) {
      const d = this.abort.signal.aborted ? undefined : this.queue.shift();
      if (!d) break;
      this.inFlight = true;
      try {
        await this.deliver(d);
      } catch (err) {
        this.counts.failed++;
        this.o.log.error({ url: this.o.label, err }, `webhook ${this.o.label}: delivery failed unexpectedly`);
      } finally {
        this.inFlight = false;
      }
    }
    this.running = false;
  }

  private async deliver(d: Delivery): Promise<void> {
    const { log, label } = this.o;
    for (let attempt = 1; ; attempt++) {
      const r = await post(this.o.url, { ...d.headers }, d.body, { agents: this.o.agents, timeoutMs: this.o.timeoutMs, signal: this.abort.signal });
      if (this.abort.signal.aborted) {
        this.counts.dropped++;
        return;
      }
      if (r.ok) {
        this.counts.delivered++;
        if (!this.healthy) log.info({ url: label, attempt }, `webhook ${label} reachable again`);
        this.healthy = true;
        log.debug({ url: label, event: d.event, delivery: d.id, status: r.status, attempt }, 'webhook delivered');
        return;
      }
      const again = retryable(r) && attempt < this.o.maxAttempts;
      const fields = { url: label, event: d.event, delivery: d.id, attempt, status: r.status };
      if (!again) {
        this.counts.failed++;
        log.warn(fields, `webhook ${label}: gave up on ${d.event} after ${attempt} attempt(s): ${r.reason}`);
        return;
      }
      const delay = Math.max(backoffMs(attempt, this.o.retryBaseMs, this.o.retryMaxMs), Math.min(r.retryAfterMs ?? 0, this.o.retryMaxMs));
      if (this.healthy) log.warn({ ...fields, retryInMs: delay }, `webhook ${label} failed (${r.reason}); retrying with backoff`);
      else log.debug({ ...fields, retryInMs: delay }, `webhook ${label} failed again (${r.reason})`);
      this.healthy = false;
      try {
        await sleep(delay, undefined, { signal: this.abort.signal });
      } catch {
        this.counts.dropped++;
        return;
      }
    }
  }
}

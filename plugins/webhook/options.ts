/**
 * Options of the `webhook` plugin. CLI flags arrive as strings (lists as
 * arrays of strings); pixie.config.js gives real types. Both are accepted.
 */
import { z } from 'zod';
import type { EventName } from '../../core/events.js';

/** Every event on the bus; `satisfies` makes the build fail when core adds one and this list does not. */
const ALL = {
  'dhcp:discover': 1,
  'dhcp:offer': 1,
  'boot:decided': 1,
  'boot:ignored': 1,
  'tftp:start': 1,
  'tftp:done': 1,
  'tftp:error': 1,
  'file:served': 1,
  'machine:booting': 1,
  'machine:booted': 1,
  error: 1,
} as const satisfies Record<EventName, 1>;

export const EVENT_NAMES = Object.keys(ALL) as EventName[];

/** Sent when `events` is not given: one boot's story, from decision to booted. */
export const DEFAULT_EVENTS: readonly EventName[] = ['boot:decided', 'boot:ignored', 'machine:booting', 'machine:booted'];

const httpUrl = z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' });

/** A list given as an array, one string, or one comma-separated string (a flag). */
const list = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v), z.array(item));

const eventName = z.union([z.literal('*'), z.enum(EVENT_NAMES as [EventName, ...EventName[]])], {
  error: (iss) => `unknown event ${JSON.stringify(iss.input)}; known: ${EVENT_NAMES.join(', ')} (or *)`,
});

const ms = (min: number, max: number, def: number) => z.coerce.number().int().min(min).max(max).default(def);

export const webhookOptions = z
  .object({
    /** Where to POST; each URL gets every selected event, in order. */
    urls: list(httpUrl).pipe(z.array(httpUrl).min(1, 'at least one URL')),
    /** Event names to send (`*` for all). */
    events: list(eventName).default([...DEFAULT_EVENTS]),
    /** HMAC-SHA256 key; config file only. Falls back to the variable named by `secretEnv`. */
    secret: z.string().min(1).optional(),
    /** Environment variable holding the key when `secret` is not set. */
    secretEnv: z.string().min(1).default('PIXIE_WEBHOOK_SECRET'),
    /** Extra request headers (e.g. Authorization); config file only. */
    headers: z.record(z.string(), z.string()).default({}),
    /** Per-request timeout: connect, send, and wait for the status line. */
    timeoutMs: ms(100, 120_000, 5_000),
    /** Attempts per event and URL before the event is given up. */
    maxAttempts: ms(1, 100, 8),
    /** First retry delay; doubles per attempt (with jitter) up to `retryMaxMs`. */
    retryBaseMs: ms(10, 600_000, 1_000),
    retryMaxMs: ms(10, 3_600_000, 60_000),
    /** Events waiting per URL; beyond it the oldest waiting event is dropped. */
    maxQueue: ms(1, 1_000_000, 1_000),
    /** On stop, how long to keep delivering what is queued. */
    flushTimeoutMs: ms(0, 600_000, 5_000),
  })
  .strict();

export type WebhookOptions = z.output<typeof webhookOptions>;

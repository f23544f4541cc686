/**
 * What a webhook receiver gets: one JSON object per event, and the headers
 * that identify and sign it. Pure functions: no clock, no I/O.
 */
import { createHmac } from 'node:crypto';
import type { EventName, PixieEvents } from '../../core/events.js';

/** Header carrying `sha256=<hex HMAC-SHA256 of the raw body>` (GitHub's X-Hub-Signature-256 scheme). */
export const SIGNATURE_HEADER = 'x-pixie-signature-256';
export const EVENT_HEADER = 'x-pixie-event';
export const DELIVERY_HEADER = 'x-pixie-delivery';

/** The machine as receivers see it: always these three keys (null when unknown). */
export interface WebhookMachine {
  mac: string;
  arch: string | null;
  firmware: string | null;
}

type MachineLike = { mac: string; arch?: string | undefined; firmware?: string | undefined };

const machineOf = (m: MachineLike): WebhookMachine => ({ mac: m.mac, arch: m.arch ?? null, firmware: m.firmware ?? null });

/** Error objects do not survive JSON.stringify; keep their name, message and code. */
const errorOf = (e: Error) => ({ name: e.name, message: e.message, ...('code' in e && typeof e.code === 'string' ? { code: e.code } : {}) });

/**
 * The JSON body for one event: `{event, time, id, machine?, …the event's
 * other fields}`. `file:served`'s bare `mac` becomes `machine` too.
 */
export function webhookBody<K extends EventName>(event: K, payload: PixieEvents[K], id: string, time: Date): string {
  const rest: Record<string, unknown> = { ...payload };
  let machine: WebhookMachine | undefined;
  if (typeof rest.machine === 'object' && rest.machine !== null) {
    machine = machineOf(rest.machine as MachineLike);
    delete rest.machine;
  } else if (typeof rest.mac === 'string') {
    machine = machineOf({ mac: rest.mac });
    delete rest.mac;
  }
  if (rest.error instanceof Error) rest.error = errorOf(rest.error);
  return JSON.stringify({ event, time: time.toISOString(), id, ...(machine ? { machine } : {}), ...rest });
}

/** `sha256=<hex>`: HMAC-SHA256 of the exact body bytes with the shared secret. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/**
 * `webhook` — POSTs boot events as signed JSON to one or more URLs. Events
 * are serialised and signed once, then queued per URL; delivery happens in
 * the background, in order, with retries, and never holds up a boot.
 */
import { randomUUID } from 'node:crypto';
import { definePlugin } from '../../core/plugin.js';
import type { EventName, PixieEvents } from '../../core/events.js';
import { webhookOptions, EVENT_NAMES, type WebhookOptions } from './options.js';
import { webhookBody, signBody, SIGNATURE_HEADER, EVENT_HEADER, DELIVERY_HEADER } from './payload.js';
import { WebhookTarget, type Delivery, type TargetStats } from './target.js';
import { createAgents } from './post.js';

export { webhookOptions, DEFAULT_EVENTS, EVENT_NAMES, type WebhookOptions } from './options.js';
export { webhookBody, signBody, SIGNATURE_HEADER, EVENT_HEADER, DELIVERY_HEADER } from './payload.js';
export { backoffMs, type TargetStats } from './target.js';

/** `https://hooks.example:8443`: enough to tell URLs apart in logs, without paths or queries that may hold tokens. */
const labelOf = (u: URL) => `${u.protocol}//${u.host}`;

export default definePlugin<WebhookOptions>({
  name: 'webhook',
  description: 'POSTs boot events as signed JSON to URLs (retries, bounded queue, never delays a boot)',
  options: webhookOptions,
  setup(ctx) {
    const o = ctx.options;
    const secret = o.secret ?? process.env[o.secretEnv];
    if (!secret) ctx.log.warn(`webhook requests are not signed: set the "secret" option or the ${o.secretEnv} environment variable`);
    const agents = createAgents();
    const urls = o.urls.map((raw) => new URL(raw));
    const { timeoutMs, maxAttempts, retryBaseMs, retryMaxMs, maxQueue } = o;
    const targets = urls.map(
      (url) => new WebhookTarget({ url, label: labelOf(url), timeoutMs, maxAttempts, retryBaseMs, retryMaxMs, maxQueue, agents, log: ctx.log }),
    );
    const wanted: EventName[] = o.events.includes('*') ? EVENT_NAMES : [...new Set(o.events as EventName[])];
    const baseHeaders = { 'user-agent': 'pixie-webhook', ...lower(o.headers), 'content-type': 'application/json' };

    const send = <K extends EventName>(event: K, payload: PixieEvents[K]) => {
      const id = randomUUID();
      const text = webhookBody(event, payload, id, new Date());
      const headers: Record<string, string> = { ...baseHeaders, [EVENT_HEADER]: event, [DELIVERY_HEADER]: id };
      if (secret) headers[SIGNATURE_HEADER] = signBody(text, secret);
      const d: Delivery = { id, event, body: Buffer.from(text, 'utf8'), headers };
      for (const t of targets) t.enqueue(d);
    };
    const unsubscribe = wanted.map((event) => ctx.events.on(event, (payload) => send(event, payload)));
    ctx.log.debug({ urls: urls.map(labelOf), events: wanted, signed: Boolean(secret) }, 'webhook ready');

    ctx.onClose(async () => {
      for (const off of unsubscribe) off();
      await Promise.all(targets.map((t) => t.close(o.flushTimeoutMs)));
      agents.destroy();
      const total = targets.reduce<Omit<TargetStats, 'pending'>>(
        (a, t) => ({ delivered: a.delivered + t.stats.delivered, failed: a.failed + t.stats.failed, dropped: a.dropped + t.stats.dropped }),
        { delivered: 0, failed: 0, dropped: 0 },
      );
      ctx.log.info(total, `webhook: ${total.delivered} delivered, ${total.failed} failed, ${total.dropped} dropped`);
    });
  },
});

const lower = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

/**
 * Delivery against a real HTTP receiver on 127.0.0.1: signed events in
 * order, a receiver that is down for a while, one that never answers
 * (bounded queue, boots unaffected), non-retryable answers, and the flush on
 * stop.
 */
import test from 'ava';
import { createHmac } from 'node:crypto';
import { definePlugin } from '../../../core/plugin.js';
import webhook from '../../../plugins/webhook/index.js';
import { testPixie, sampleMachine } from '../../helpers/pixie.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';

const SECRET = 'whsec-test-0123456789';
const MAC = '52:54:00:0b:00:01';

async function receiver(t: import('ava').ExecutionContext): Promise<Receiver> {
  const rx = await startReceiver();
  t.teardown(() => rx.close());
  return rx;
}

function pixieWith(t: import('ava').ExecutionContext, options: Record<string, unknown>, extra: unknown[] = []) {
  const pixie = testPixie({ plugins: [[webhook, { secret: SECRET, ...options }], ...(extra as never[])] });
  t.teardown(() => pixie.stop());
  return pixie;
}

/** Wait until `cond()` holds (polling), or fail after `timeoutMs`. */
async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const booted = (mac: string, n: number) => ({ machine: { mac: `${mac.slice(0, -2)}${n.toString(16).padStart(2, '0')}` } });

test('events arrive signed, in order, with the documented body and headers; others are filtered out', async (t) => {
  const rx = await receiver(t);
  const pixie = pixieWith(t, { urls: [rx.url] });
  await pixie.ready();
  const machine = { mac: MAC, arch: 'x64' as const, firmware: 'bios' as const };
  pixie.events.emit('boot:decided', { machine, cached: false });
  pixie.events.emit('tftp:done', { filename: 'undionly.kpxe', client: '10.0.0.5:2000', bytes: 1, durationMs: 1, blksize: 1468, windowsize: 1, retransmits: 0 });
  pixie.events.emit('machine:booting', { machine: { mac: MAC } });
  pixie.events.emit('machine:booted', { machine: { mac: MAC } });
  const got = await rx.waitFor(3);
  t.deepEqual(
    got.map((r) => (JSON.parse(r.body) as { event: string }).event),
    ['boot:decided', 'machine:booting', 'machine:booted'],
  );
  for (const r of got) {
    const want = `sha256=${createHmac('sha256', SECRET).update(r.body).digest('hex')}`;
    t.is(r.headers['x-pixie-signature-256'], want);
    const body = JSON.parse(r.body) as { event: string; id: string; time: string; machine: unknown };
    t.is(r.headers['x-pixie-event'], body.event);
    t.is(r.headers['x-pixie-delivery'], body.id);
    t.is(r.headers['content-type'], 'application/json');
    t.false(Number.isNaN(Date.parse(body.time)));
  }
  t.deepEqual((JSON.parse(got[0]!.body) as { machine: unknown }).machine, { mac: MAC, arch: 'x64', firmware: 'bios' });
  t.is(new Set(got.map((r) => r.headers['x-pixie-delivery'])).size, 3);
  t.is(rx.all.length, 3, 'tftp:done is not among the default events');
});

test('every URL gets every event; "*" selects all events', async (t) => {
  const [a, b] = [await receiver(t), await receiver(t)];
  const pixie = pixieWith(t, { urls: [a.url, b.url], events: ['*'] });
  await pixie.ready();
  pixie.events.emit('tftp:error', { filename: 'x', client: '10.0.0.5:2000', message: 'disk full' });
  pixie.events.emit('machine:booted', { machine: { mac: MAC } });
  for (const rx of [a, b]) {
    const got = await rx.waitFor(2);
    t.deepEqual(
      got.map((r) => r.headers['x-pixie-event']),
      ['tftp:error', 'machine:booted'],
    );
  }
});

test('a receiver that is down for a while gets every event after retries, in order', async (t) => {
  const rx = await receiver(t);
  const pixie = pixieWith(t, { urls: [rx.url], retryBaseMs: 40, retryMaxMs: 200, maxAttempts: 50 });
  await pixie.ready();
  await rx.down();
  for (let i = 1; i <= 5; i++) pixie.events.emit('machine:booted', booted(MAC, i));
  await new Promise((r) => setTimeout(r, 500));
  t.is(rx.all.length, 0);
  await rx.up();
  const got = await rx.waitFor(5);
  t.deepEqual(
    got.map((r) => (JSON.parse(r.body) as { machine: { mac: string } }).machine.mac.slice(-2)),
    ['01', '02', '03', '04', '05'],
  );
  const text = pixie.sink.text();
  t.regex(text, /webhook http:\/\/127\.0\.0\.1:\d+ failed \(ECONNREFUSED\); retrying with backoff/);
  t.regex(text, /reachable again/);
  t.false(text.includes('/hook'), 'logs name scheme, host and port, not the path');
  t.is(pixie.sink.lines.filter((l) => /retrying with backoff/.test(l.msg ?? '')).length, 1, 'one warning per outage, not one per attempt');
});

test('a receiver that never answers: requests time out, the queue stays bounded, drops are counted and boots go on', async (t) => {
  const rx = await receiver(t);
  rx.mode = { kind: 'hang' };
  const booter = definePlugin({
    name: 'booter',
    setup(ctx) {
      ctx.tap('boot:decide', async () => ({ kernel: './vmlinuz' }));
    },
  });
  const pixie = testPixie({
    decisionCacheMs: 0,
    plugins: [[webhook, { urls: [rx.url], secret: SECRET, timeoutMs: 200, retryBaseMs: 50, retryMaxMs: 100, maxAttempts: 100, maxQueue: 5, flushTimeoutMs: 100 }], booter],
  });
  await pixie.ready();
  const started50 = performance.now();
  for (let i = 0; i < 50; i++) {
    const spec = await pixie.decide(sampleMachine({ mac: `52:54:00:0c:00:${i.toString(16).padStart(2, '0')}` }));
    t.is(spec?.kernel, './vmlinuz');
  }
  // Waiting on the hung receiver would cost at least 50 × 200 ms.
  const took = performance.now() - started50;
  t.true(took < 2000, `50 boot decisions took ${took.toFixed(0)} ms while the webhook hung`);
  const warn = pixie.sink.lines.find((l) => /queue full \(5\)/.test(l.msg ?? ''));
  t.truthy(warn, 'a warning says the queue is full');
  t.is(warn?.level, 40);
  await until(() => rx.all.length >= 2, 'the first event to be retried after its timeout');
  t.true(rx.all.every((r) => (JSON.parse(r.body) as { machine: { mac: string } }).machine.mac === '52:54:00:0c:00:00'), 'ordered: the head of the queue blocks the rest');
  const started = performance.now();
  await pixie.stop();
  t.true(performance.now() - started < 3000, 'stop waits for the flush time, not for the receiver');
  const summary = pixie.sink.lines.find((l) => /delivered, .* failed, .* dropped/.test(l.msg ?? ''));
  t.is(summary?.delivered, 0);
  t.is(summary?.dropped, 50, '44 pushed out of the full queue, 5 waiting and 1 in flight at shutdown');
  t.regex(pixie.sink.text(), /event\(s\) not delivered before shutdown/);
});

test('a non-retryable answer (4xx) gives the event up at once; the next one goes', async (t) => {
  const rx = await receiver(t);
  rx.mode = { kind: 'status', status: 410 };
  const pixie = pixieWith(t, { urls: [rx.url], retryBaseMs: 20 });
  await pixie.ready();
  pixie.events.emit('machine:booted', booted(MAC, 1));
  await until(() => /gave up on machine:booted after 1 attempt\(s\): HTTP 410/.test(pixie.sink.text()), 'the give-up warning');
  rx.mode = { kind: 'ok' };
  pixie.events.emit('machine:booted', booted(MAC, 2));
  const [r] = await rx.waitFor(1);
  t.is((JSON.parse(r!.body) as { machine: { mac: string } }).machine.mac, booted(MAC, 2).machine.mac);
  t.is(rx.all.length, 2, 'the refused event was sent once, never retried');
});

test('5xx answers are retried with backoff; the attempt limit gives up', async (t) => {
  const rx = await receiver(t);
  rx.mode = { kind: 'status', status: 503 };
  const pixie = pixieWith(t, { urls: [rx.url], retryBaseMs: 10, retryMaxMs: 20, maxAttempts: 3 });
  await pixie.ready();
  pixie.events.emit('machine:booted', booted(MAC, 1));
  await until(() => /gave up on machine:booted after 3 attempt\(s\): HTTP 503/.test(pixie.sink.text()), 'the give-up warning');
  t.is(rx.all.length, 3);
});

test('stop delivers what is queued (within flushTimeoutMs) before closing', async (t) => {
  const rx = await receiver(t);
  rx.mode = { kind: 'slow', ms: 50 };
  const pixie = pixieWith(t, { urls: [rx.url], flushTimeoutMs: 5000 });
  await pixie.ready();
  for (let i = 1; i <= 6; i++) pixie.events.emit('machine:booted', booted(MAC, i));
  await pixie.stop();
  t.is(rx.accepted.length, 6);
  pixie.events.emit('machine:booted', booted(MAC, 7));
  await new Promise((r) => setTimeout(r, 100));
  t.is(rx.all.length, 6, 'nothing is sent after stop');
});

test('the secret can come from the environment; without one, requests are unsigned and a warning says so', async (t) => {
  const rx = await receiver(t);
  const envName = `PIXIE_TEST_WEBHOOK_SECRET_${process.pid}`;
  process.env[envName] = 'from-the-env';
  t.teardown(() => delete process.env[envName]);
  const signed = testPixie({ plugins: [[webhook, { urls: [rx.url], secretEnv: envName }]] });
  t.teardown(() => signed.stop());
  await signed.ready();
  signed.events.emit('machine:booted', booted(MAC, 1));
  const [r] = await rx.waitFor(1);
  t.is(r!.headers['x-pixie-signature-256'], `sha256=${createHmac('sha256', 'from-the-env').update(r!.body).digest('hex')}`);
  t.false(JSON.stringify(signed.sink.lines).includes('from-the-env'), 'the secret is never logged');

  const unsigned = testPixie({ plugins: [[webhook, { urls: [rx.url], secretEnv: `${envName}_UNSET` }]] });
  t.teardown(() => unsigned.stop());
  await unsigned.ready();
  t.regex(unsigned.sink.text(), /not signed/);
  unsigned.events.emit('machine:booted', booted(MAC, 2));
  const [, r2] = await rx.waitFor(2);
  t.is(r2!.headers['x-pixie-signature-256'], undefined);
});

import test from 'ava';
import { TransferSlots, WAITERS_PER_SLOT } from '../../../core/tftp/slots.js';
import { FakeClock, flush } from './helpers/fake-clock.js';

test('slots are granted up to the limit, then requests queue in order', async (t) => {
  const s = new TransferSlots(2, 1000, new FakeClock());
  t.true(await s.acquire('a'));
  t.true(await s.acquire('b'));
  const order: string[] = [];
  const c = s.acquire('c').then((ok) => ok && order.push('c'));
  const d = s.acquire('d').then((ok) => ok && order.push('d'));
  t.true(s.isWaiting('c'));
  s.release();
  await flush();
  t.deepEqual(order, ['c']);
  s.release();
  await Promise.all([c, d]);
  t.deepEqual(order, ['c', 'd']);
});

test('a freed slot goes to the waiter, not to a newcomer', async (t) => {
  const s = new TransferSlots(1, 1000, new FakeClock());
  await s.acquire('a');
  const waiter = s.acquire('b');
  s.release(); // handed to b
  let newcomer: boolean | undefined;
  void s.acquire('c').then((ok) => (newcomer = ok));
  t.true(await waiter);
  await flush();
  t.is(newcomer, undefined, 'c waits behind b');
});

test('a full queue refuses at once; a long wait is refused after maxWaitMs', async (t) => {
  const clock = new FakeClock();
  const s = new TransferSlots(1, 500, clock);
  await s.acquire('a');
  const waiting = Array.from({ length: WAITERS_PER_SLOT }, (_, i) => s.acquire(`w${i}`));
  t.false(await s.acquire('late'));
  clock.advance(500);
  t.deepEqual(await Promise.all(waiting), Array<boolean>(WAITERS_PER_SLOT).fill(false));
  t.false(s.isWaiting('w0'));
});

test('reset refuses waiters and frees every slot', async (t) => {
  const s = new TransferSlots(1, 1000, new FakeClock());
  await s.acquire('a');
  const w = s.acquire('b');
  s.reset();
  t.false(await w);
  t.true(await s.acquire('c'));
});

import test from 'ava';
import { createEvents } from '../../core/events.js';
import { logSink } from '../helpers/log.js';

const machine = { mac: '52:54:00:00:00:01' };

test('a throwing or rejecting listener is logged and the others still run', async (t) => {
  const sink = logSink();
  const ev = createEvents(sink.log);
  const seen: string[] = [];
  ev.on('machine:booted', () => {
    throw new Error('listener bug');
  });
  ev.on('machine:booted', async () => {
    await Promise.resolve();
    throw new Error('async bug');
  });
  ev.on('machine:booted', (e) => void seen.push(e.machine.mac));
  t.notThrows(() => ev.emit('machine:booted', { machine }));
  await new Promise((r) => setImmediate(r));
  t.deepEqual(seen, [machine.mac]);
  t.regex(sink.text(), /event listener for machine:booted failed: listener bug/);
  t.regex(sink.text(), /event listener for machine:booted failed: async bug/);
});

test('on() returns an unsubscribe function; off() removes a listener', (t) => {
  const ev = createEvents(logSink().log);
  let n = 0;
  const h = () => void n++;
  const un = ev.on('machine:booting', h);
  ev.emit('machine:booting', { machine });
  un();
  ev.emit('machine:booting', { machine });
  ev.on('machine:booted', h);
  ev.off('machine:booted', h);
  ev.emit('machine:booted', { machine });
  t.is(n, 1);
});

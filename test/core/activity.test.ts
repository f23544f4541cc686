import test from 'ava';
import { createEvents } from '../../core/events.js';
import { logActivity } from '../../core/activity.js';
import { logSink } from '../helpers/log.js';
import { sampleMachine } from '../helpers/pixie.js';

test('each boot step becomes one readable info line; unsubscribing stops them', (t) => {
  const sink = logSink('info');
  const events = createEvents(sink.log);
  const off = logActivity(events, sink.log);
  const machine = sampleMachine({ stage: 'ipxe' });
  events.emit('dhcp:offer', { machine, port: 67, bootFile: 'http://10.0.0.1/_/ipxe?mac=x', serverAddress: '10.0.0.1' });
  events.emit('file:served', { kind: 'kernel', mac: machine.mac, bytes: 8_123_456, durationMs: 1530, status: 200 });
  events.emit('file:served', { kind: 'kernel', mac: machine.mac, bytes: 0, durationMs: 1, status: 403 });
  events.emit('boot:ignored', { machine, reason: 'x' });
  off();
  events.emit('dhcp:offer', { machine, port: 67, bootFile: 'again', serverAddress: '10.0.0.1' });
  t.true(sink.lines.every((l) => l.mac === machine.mac));
  t.deepEqual(
    sink.lines.map((l) => l.msg),
    [
      'iPXE script http://10.0.0.1/_/ipxe?mac=x offered (bios x64, via 10.0.0.1, port 67)',
      'kernel sent, 8.1 MB in 1.5 s',
    ],
  );
});

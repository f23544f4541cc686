import test from 'ava';
import { bootingUrl, fileUrl, httpBase, machineBase, scriptUrl } from '../../../core/boot/urls.js';

test('httpBase omits port 80 and brackets IPv6', (t) => {
  t.is(httpBase('10.0.0.1', 80), 'http://10.0.0.1');
  t.is(httpBase('10.0.0.1', 8080), 'http://10.0.0.1:8080');
  t.is(httpBase('fe80::1', 80), 'http://[fe80::1]');
});

test('file, beacon and script URLs', (t) => {
  t.is(fileUrl('http://h', 'ID'), 'http://h/_/file?name=ID');
  t.is(fileUrl('http://h', 'ID', { type: 'kernel', mac: 'aa:bb:cc:dd:ee:ff' }), 'http://h/_/file?name=ID&type=kernel&mac=aa:bb:cc:dd:ee:ff');
  t.is(bootingUrl('http://h', 'aa:bb:cc:dd:ee:ff'), 'http://h/_/booting?mac=aa:bb:cc:dd:ee:ff');
  t.is(scriptUrl('http://h', 'aa:bb:cc:dd:ee:ff', 'x64'), 'http://h/_/ipxe?mac=aa:bb:cc:dd:ee:ff&arch=x64');
});

test('machineBase prefers the address the machine reached, else a concrete listen address', (t) => {
  t.is(machineBase({ serverAddress: '192.168.1.5' }, '0.0.0.0', 80), 'http://192.168.1.5');
  t.is(machineBase({}, '10.1.1.1', 8080), 'http://10.1.1.1:8080');
  t.throws(() => machineBase({}, '0.0.0.0', 80), { message: /cannot tell which pixie address/ });
});

import test from 'ava';
import { decodeOptions, encodeOptions, machineUuid, messageTypeName, Opt, optIp, optString, optU16, userClasses, ipBytes } from '../../../core/dhcp/options.js';

test('pad is skipped, end stops, repeated codes are concatenated', (t) => {
  const r = decodeOptions(Uint8Array.of(0, 0, 60, 2, 0x41, 0x42, 60, 1, 0x43, 255, 60, 1, 0x44));
  if (!r.ok) return t.fail(r.error);
  t.true(r.ended);
  t.is(optString(r.options, 60), 'ABC');
});

test('a missing end marker is tolerated; a length past the end is an error', (t) => {
  t.like(decodeOptions(Uint8Array.of(53, 1, 1)), { ok: true, ended: false });
  t.like(decodeOptions(Uint8Array.of(53, 5, 1)), { ok: false });
  t.like(decodeOptions(Uint8Array.of(53)), { ok: false });
});

test('encodeOptions never writes codes 0/255 and ends with 255', (t) => {
  const b = encodeOptions(new Map([[0, Uint8Array.of(1)], [255, Uint8Array.of(1)], [53, Uint8Array.of(2)]]));
  t.deepEqual([...b], [53, 1, 2, 255]);
});

test('typed readers', (t) => {
  const o = new Map([[93, Uint8Array.of(0, 0x10, 0, 7)], [54, Uint8Array.of(10, 0, 0, 1)], [60, Buffer.from('PXEClient\0')]]);
  t.is(optU16(o, Opt.ClientArch), 16);
  t.is(optIp(o, Opt.ServerId), '10.0.0.1');
  t.is(optString(o, Opt.VendorClass), 'PXEClient');
  t.is(optU16(new Map([[93, Uint8Array.of(1)]]), 93), undefined);
  t.is(messageTypeName(1), 'discover');
  t.is(messageTypeName(42), 'type42');
  t.is(ipBytes('1.2.3.256'), undefined);
  t.deepEqual(ipBytes('1.2.3.4'), Uint8Array.of(1, 2, 3, 4));
});

test('option 97 GUID is printed in SMBIOS order; malformed ones are ignored', (t) => {
  const guid = Uint8Array.of(0, 0xe0, 0x04, 0x25, 0x3f, 0x89, 0x4f, 0xd3, 0x41, 0x9a, 0x0c, 0x03, 0x05, 0xe8, 0x2c, 0x33, 0x01);
  t.is(machineUuid(new Map([[97, guid]])), '3f2504e0-4f89-41d3-9a0c-0305e82c3301');
  t.is(machineUuid(new Map([[97, guid.subarray(0, 10)]])), undefined);
  t.is(machineUuid(new Map([[97, Uint8Array.of(1, ...guid.subarray(1))]])), undefined);
});

test('user class: bare iPXE string and RFC 3004 entries', (t) => {
  t.deepEqual(userClasses(new Map([[77, Buffer.from('iPXE')]])), ['iPXE']);
  t.true(userClasses(new Map([[77, Buffer.from('\x04iPXE\x03foo')]])).includes('iPXE'));
  t.deepEqual(userClasses(new Map()), []);
});

import test from 'ava';
import { decodePacket } from '../../../core/dhcp/packet.js';
import { Opt } from '../../../core/dhcp/options.js';
import { IPXE_FEATURES, ipxeFeatures, missingIpxeFeatures } from '../../../core/dhcp/ipxe-features.js';
import { validateConfig } from '../../../core/config.js';
import { loadFixtures } from './helpers.js';

const opts = (encap?: number[]) => new Map<number, Uint8Array>(encap ? [[Opt.IpxeEncap, Uint8Array.from(encap)]] : []);

test('the feature list of QEMU\'s 2019 iPXE ROM, as captured', (t) => {
  const p = decodePacket(loadFixtures().get('qemu-bios-ipxe-discover')!);
  if (!p.ok) return t.fail();
  const have = ipxeFeatures(p.packet.options)!;
  const names = Object.entries(IPXE_FEATURES).filter(([, code]) => have.has(code)).map(([n]) => n).sort();
  // Bus id (177) and version (235) are not features.
  t.deepEqual(names, ['aoe', 'bzimage', 'dns', 'elf', 'http', 'iscsi', 'menu', 'multiboot', 'nfs', 'pxe', 'pxe-ext', 'tftp']);
  t.deepEqual(missingIpxeFeatures(p.packet.options, []), []);
  t.deepEqual(missingIpxeFeatures(p.packet.options, ['https', 'vlan', 'dns']), ['https', 'vlan']);
});

test('http is always required; a zero flag byte means absent', (t) => {
  t.deepEqual(missingIpxeFeatures(opts([0x15, 1, 1]), []), ['http']);
  t.deepEqual(missingIpxeFeatures(opts([0x13, 1, 0, 0x14, 1, 1]), ['https']), ['http']);
  t.deepEqual(missingIpxeFeatures(opts([0x13, 1, 1, 0x14, 1, 1]), ['https', 'http']), []);
});

test('no or unreadable option 175: features unknown, nothing reported missing', (t) => {
  t.is(ipxeFeatures(opts()), undefined);
  t.deepEqual(missingIpxeFeatures(opts(), ['https']), []);
  t.is(ipxeFeatures(opts([0x13, 5, 1])), undefined);
  t.deepEqual(missingIpxeFeatures(opts([0x13, 5, 1]), ['https']), []);
});

test('ipxe.require takes feature names; anything else is a config error', (t) => {
  t.deepEqual(validateConfig({ ipxe: { require: ['https', 'vlan'] } }).ipxe.require, ['https', 'vlan']);
  t.is(validateConfig({}).ipxe.require, undefined);
  t.throws(() => validateConfig({ ipxe: { require: ['gopher'] } }), { message: /ipxe\.require/ });
});

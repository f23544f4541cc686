import test from 'ava';
import type { Machine } from '../../../core/boot/machine.js';
import { MessageType, Opt, optIp, optString } from '../../../core/dhcp/options.js';
import { BROADCAST_FLAG, type DhcpPacket } from '../../../core/dhcp/packet.js';
import { bootFileFor, buildReply, classifyRequest, replyDestination } from '../../../core/dhcp/pxe.js';
import { bootUrls } from '../../../core/dhcp/urls.js';
import { testFirmwareFile } from './helpers.js';

function request(opts: Array<[number, Uint8Array | string]>, over: Partial<DhcpPacket> = {}): DhcpPacket {
  const chaddr = new Uint8Array(16);
  chaddr.set([0x52, 0x54, 0, 0xab, 0xcd, 0xef]);
  const options = new Map<number, Uint8Array>([[Opt.MessageType, Uint8Array.of(MessageType.Discover)]]);
  for (const [code, v] of opts) options.set(code, typeof v === 'string' ? Buffer.from(v) : v);
  return { op: 1, htype: 1, hlen: 6, hops: 0, xid: 7, secs: 0, flags: 0, ciaddr: '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0', giaddr: '0.0.0.0', chaddr, sname: '', file: '', options, ...over };
}
const ctx = { port: 67, interface: 'br0', serverAddress: '10.0.0.1' };
const arch = (n: number) => Uint8Array.of(n >> 8, n & 0xff);

test('plain DHCP clients are not boot clients', (t) => {
  t.like(classifyRequest(request([]), ctx), { kind: 'not-boot-client' });
  t.like(classifyRequest(request([[Opt.VendorClass, 'udhcp 1.35.0'], [Opt.ClientArch, arch(0)]]), ctx), { kind: 'not-boot-client' });
  t.like(classifyRequest(request([[Opt.VendorClass, 'PXEClient']], { op: 2 }), ctx), { kind: 'not-boot-client' });
  t.like(classifyRequest(request([[Opt.VendorClass, 'PXEClient']], { htype: 6 }), ctx), { kind: 'not-boot-client' });
});

test('stages: PXE firmware, UEFI HTTP Boot, iPXE', (t) => {
  const pxe = classifyRequest(request([[Opt.VendorClass, 'PXEClient:Arch:00011:UNDI:003000'], [Opt.ClientArch, arch(11)]]), ctx);
  t.like(pxe, { kind: 'boot', machine: { mac: '52:54:00:ab:cd:ef', arch: 'arm64', firmware: 'efi', stage: 'pxe', archCode: 11, interface: 'br0', serverAddress: '10.0.0.1' } });
  const http = classifyRequest(request([[Opt.VendorClass, 'HTTPClient:Arch:00019'], [Opt.ClientArch, arch(19)]]), ctx);
  t.like(http, { kind: 'boot', machine: { arch: 'arm64', stage: 'http' } });
  const ipxe = classifyRequest(request([[Opt.VendorClass, 'PXEClient:Arch:00007'], [Opt.ClientArch, arch(7)], [Opt.UserClass, 'iPXE'], [Opt.IpxeEncap, Uint8Array.of(0x13, 1, 1, 0x15, 1, 1)]]), ctx);
  t.like(ipxe, { kind: 'boot', machine: { arch: 'x64', stage: 'ipxe', ipxeHttp: true } });
  const noHttp = classifyRequest(request([[Opt.ClientArch, arch(0)], [Opt.IpxeEncap, Uint8Array.of(0x15, 1, 1)]]), ctx);
  t.like(noHttp, { kind: 'boot', machine: { stage: 'ipxe', ipxeHttp: false } });
});

test('unknown or missing architectures are unsupported, with the MAC', (t) => {
  t.like(classifyRequest(request([[Opt.VendorClass, 'PXEClient'], [Opt.ClientArch, arch(27)]]), ctx), { kind: 'unsupported', mac: '52:54:00:ab:cd:ef', archCode: 27 });
  t.like(classifyRequest(request([[Opt.VendorClass, 'PXEClient']]), ctx), { kind: 'unsupported' });
  // The vendor class carries the arch when option 93 is missing.
  t.like(classifyRequest(request([[Opt.VendorClass, 'PXEClient:Arch:00007:UNDI:003016']]), ctx), { kind: 'boot', machine: { archCode: 7 } });
});

const machine = (m: Partial<Machine>): Machine => ({ mac: '52:54:00:ab:cd:ef', arch: 'x64', firmware: 'bios', stage: 'pxe', ...m });

test('boot file per stage', (t) => {
  t.deepEqual(bootFileFor(machine({}), '10.0.0.1', 80, testFirmwareFile), { ok: true, bootFile: 'undionly.kpxe' });
  t.deepEqual(bootFileFor(machine({ stage: 'ipxe', arch: 'arm64' }), '10.0.0.1', 80, testFirmwareFile), { ok: true, bootFile: 'http://10.0.0.1/_/ipxe?mac=52:54:00:ab:cd:ef&arch=arm64' });
  t.deepEqual(bootFileFor(machine({ stage: 'http', firmware: 'efi' }), '10.0.0.1', 8080, testFirmwareFile), { ok: true, bootFile: 'http://10.0.0.1:8080/_/firmware/ipxe.efi' });
  t.like(bootFileFor(machine({ firmware: 'efi', arch: 'arm32' }), '10.0.0.1', 80, testFirmwareFile), { ok: false });
});

test('an iPXE lacking needed features is chainloaded into pixie\'s iPXE over TFTP', (t) => {
  t.deepEqual(bootFileFor(machine({ stage: 'ipxe', ipxeHttp: false }), '10.0.0.1', 80, testFirmwareFile, ['http']), { ok: true, bootFile: 'ipxe.pxe' });
  t.deepEqual(bootFileFor(machine({ stage: 'ipxe', firmware: 'efi', arch: 'arm64' }), '10.0.0.1', 80, testFirmwareFile, ['https']), { ok: true, bootFile: 'ipxe-arm64.efi' });
  const none = bootFileFor(machine({ stage: 'ipxe', firmware: 'efi', arch: 'arm32' }), '10.0.0.1', 80, testFirmwareFile, ['https']);
  t.false(none.ok);
  t.regex(none.ok ? '' : none.reason, /lacks https .* no iPXE binary is configured/);
  // The reply names us as TFTP server, like a firmware-stage offer.
  const r = buildReply(request([[Opt.UserClass, 'iPXE']]), machine({ stage: 'ipxe' }), { serverAddress: '10.0.0.1', bootFile: 'ipxe.pxe', type: 'offer' });
  t.like(r, { siaddr: '10.0.0.1', sname: '10.0.0.1', file: 'ipxe.pxe' });
  const script = buildReply(request([[Opt.UserClass, 'iPXE']]), machine({ stage: 'ipxe' }), { serverAddress: '10.0.0.1', bootFile: 'http://10.0.0.1/_/ipxe?mac=x', type: 'offer' });
  t.is(script.sname, '');
});

test('URL builder leaves out port 80', (t) => {
  t.is(bootUrls('10.0.0.1', 80).base, 'http://10.0.0.1');
  t.is(bootUrls('10.0.0.1', 8080).firmware('a b/c.efi'), 'http://10.0.0.1:8080/_/firmware/a%20b/c.efi');
});

test('BIOS offer: no address, siaddr/54 = us, PXEClient, option 43 skip-discovery, 97 echoed, broadcast', (t) => {
  const guid = Uint8Array.of(0, ...new Array<number>(16).fill(7));
  const req = request([[Opt.VendorClass, 'PXEClient:Arch:00000'], [Opt.ClientArch, arch(0)], [Opt.ClientMachineId, guid]]);
  const r = buildReply(req, machine({}), { serverAddress: '10.0.0.1', bootFile: 'undionly.kpxe', type: 'offer' });
  t.like(r, { op: 2, xid: 7, yiaddr: '0.0.0.0', siaddr: '10.0.0.1', sname: '10.0.0.1', file: 'undionly.kpxe', flags: BROADCAST_FLAG });
  t.deepEqual(r.options.get(Opt.MessageType), Uint8Array.of(MessageType.Offer));
  t.is(optIp(r.options, Opt.ServerId), '10.0.0.1');
  t.is(optString(r.options, Opt.VendorClass), 'PXEClient');
  t.deepEqual(r.options.get(Opt.VendorSpecific), Uint8Array.of(6, 1, 8, 255));
  t.deepEqual(r.options.get(Opt.ClientMachineId), guid);
});

test('UEFI gets no option 43; HTTP Boot gets HTTPClient; long names also go in option 67', (t) => {
  const req = request([]);
  const efi = buildReply(req, machine({ firmware: 'efi' }), { serverAddress: '10.0.0.1', bootFile: 'ipxe.efi', type: 'ack' });
  t.false(efi.options.has(Opt.VendorSpecific));
  t.deepEqual(efi.options.get(Opt.MessageType), Uint8Array.of(MessageType.Ack));
  const http = buildReply(req, machine({ firmware: 'efi', stage: 'http' }), { serverAddress: '10.0.0.1', bootFile: 'http://x/' + 'a'.repeat(150), type: 'offer' });
  t.is(optString(http.options, Opt.VendorClass), 'HTTPClient');
  t.is(http.sname, '');
  t.is(http.file, '');
  t.is(optString(http.options, Opt.BootFileName)?.length, 159);
});

test('reply destinations: broadcast, relay, 4011 sender, ciaddr', (t) => {
  const remote = { address: '0.0.0.0', port: 68 };
  t.deepEqual(replyDestination(request([]), 67, remote), { address: '255.255.255.255', port: 68, broadcast: true });
  t.deepEqual(replyDestination(request([], { giaddr: '10.9.0.1' }), 67, { address: '10.9.0.1', port: 67 }), { address: '10.9.0.1', port: 67, broadcast: false });
  t.deepEqual(replyDestination(request([], { ciaddr: '10.0.0.50' }), 4011, { address: '10.0.0.50', port: 68 }), { address: '10.0.0.50', port: 68, broadcast: false });
  t.deepEqual(replyDestination(request([], { ciaddr: '10.0.0.50' }), 67, remote), { address: '10.0.0.50', port: 68, broadcast: false });
});

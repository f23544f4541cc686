/** createDhcpServer().handle(): the decisions, without sockets. */
import test from 'ava';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Machine } from '../../../core/boot/machine.js';
import { createEvents, type PixieEvents } from '../../../core/events.js';
import { createDhcpServer, type DhcpServerOptions } from '../../../core/dhcp/server.js';
import { decodePacket, encodePacket } from '../../../core/dhcp/packet.js';
import { MessageType, Opt, optString } from '../../../core/dhcp/options.js';
import { loadFixtures, testFirmwareFile } from './helpers.js';

const fixtures = loadFixtures();
const fx = (name: string) => fixtures.get(name)!;

function setup(over: Partial<DhcpServerOptions> = {}) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      cb();
    },
  });
  const log = pino({ level: 'debug' }, sink);
  const events = createEvents(log);
  const seen: Array<{ type: keyof PixieEvents; payload: unknown }> = [];
  for (const type of ['dhcp:discover', 'dhcp:offer', 'boot:ignored'] as const) events.on(type, (payload) => void seen.push({ type, payload }));
  const asked: Machine[] = [];
  const server = createDhcpServer({
    listenAddr: '0.0.0.0', dhcpPort: 67, pxePort: 4011, noBind: false, httpPort: 8080, log, events,
    shouldBoot: (m) => {
      asked.push(m);
      return Promise.resolve(true);
    },
    firmwareFile: testFirmwareFile,
    ...over,
  });
  return { server, lines, seen, asked };
}
const meta = (port = 67) => ({ port, interface: 'br0', serverAddress: '10.0.0.1', remote: { address: '0.0.0.0', port: 68 } });

test('a UEFI PXE DISCOVER gets an offer and the events say so', async (t) => {
  const { server, seen, asked } = setup();
  const reply = await server.handle(fx('ovmf-pxe-discover'), meta());
  t.truthy(reply);
  const r = decodePacket(reply!);
  if (!r.ok) return t.fail();
  t.like(r.packet, { op: 2, siaddr: '10.0.0.1', file: 'ipxe.efi', yiaddr: '0.0.0.0' });
  t.deepEqual(r.packet.options.get(Opt.MessageType), Uint8Array.of(MessageType.Offer));
  t.like(asked[0], { mac: '52:54:00:00:02:02', interface: 'br0', serverAddress: '10.0.0.1', stage: 'pxe' });
  t.deepEqual(seen.map((s) => s.type), ['dhcp:discover', 'dhcp:offer']);
  t.like(seen[1]!.payload, { bootFile: 'ipxe.efi', serverAddress: '10.0.0.1', port: 67 });
  t.is(server.stats.replies, 1);
});

test('iPXE gets its script URL; a REQUEST to 4011 gets an ACK', async (t) => {
  const { server } = setup();
  const offer = decodePacket((await server.handle(fx('qemu-bios-ipxe-discover'), meta()))!);
  t.like(offer, { ok: true, packet: { file: 'http://10.0.0.1:8080/_/ipxe?mac=52:54:00:00:01:01&arch=x64' } });
  const ack = decodePacket((await server.handle(fx('qemu-bios-ipxe-request'), meta(4011)))!);
  if (!ack.ok) return t.fail();
  t.deepEqual(ack.packet.options.get(Opt.MessageType), Uint8Array.of(MessageType.Ack));
});

test('with ipxe.require, an iPXE ROM lacking the feature is chainloaded into ipxe.pxe over TFTP, on 67 and 4011', async (t) => {
  const { server, lines } = setup({ ipxeRequire: ['https'] });
  // QEMU's 2019 iPXE ROM lists HTTP but not HTTPS in option 175.
  const offer = decodePacket((await server.handle(fx('qemu-bios-ipxe-discover'), meta()))!);
  t.like(offer, { ok: true, packet: { file: 'ipxe.pxe', siaddr: '10.0.0.1', sname: '10.0.0.1' } });
  const ack = decodePacket((await server.handle(fx('qemu-bios-ipxe-request'), meta(4011)))!);
  t.like(ack, { ok: true, packet: { file: 'ipxe.pxe' } });
  t.true(lines.some((l) => /its iPXE lacks https, chainloading ipxe\.pxe/.test(String(l.msg)) && (l.ipxeMissing as string[])[0] === 'https'));
  // Features it has (HTTP, DNS, NFS) do not trigger a chainload.
  const { server: plain } = setup({ ipxeRequire: ['dns', 'nfs'] });
  t.like(decodePacket((await plain.handle(fx('qemu-bios-ipxe-discover'), meta()))!), { ok: true, packet: { file: 'http://10.0.0.1:8080/_/ipxe?mac=52:54:00:00:01:01&arch=x64' } });
});

test('UEFI HTTP Boot gets HTTPClient and the firmware URL', async (t) => {
  const { server } = setup();
  const r = decodePacket((await server.handle(fx('ovmf-http-discover'), meta()))!);
  if (!r.ok) return t.fail();
  t.is(r.packet.file, 'http://10.0.0.1:8080/_/firmware/ipxe.efi');
  t.is(optString(r.packet.options, Opt.VendorClass), 'HTTPClient');
});

test('plain DHCP clients and REQUESTs for another server get silence, without events', async (t) => {
  const { server, seen, asked } = setup();
  for (const name of ['udhcpc-discover', 'udhcpc-request', 'dhclient-discover', 'dhclient-request']) t.is(await server.handle(fx(name), meta()), null);
  // The iPXE REQUEST names dnsmasq (10.250.0.1) as server: not ours on port 67.
  t.is(await server.handle(fx('qemu-bios-ipxe-request'), meta()), null);
  // Same host as the DHCP server (--dhcp-no-bind): the server id is ours too, but the client
  // asks for a leased address, so the REQUEST is the DHCP server's to answer.
  t.is(await server.handle(fx('qemu-bios-ipxe-request'), { ...meta(), serverAddress: '10.250.0.1' }), null);
  t.deepEqual(seen, []);
  t.deepEqual(asked, []);
});

test('shouldBoot false or throwing → silence and boot:ignored', async (t) => {
  const no = setup({ shouldBoot: () => Promise.resolve(false) });
  t.is(await no.server.handle(fx('ovmf-pxe-discover'), meta()), null);
  t.deepEqual(no.seen.map((s) => s.type), ['dhcp:discover', 'boot:ignored']);
  const boom = setup({ shouldBoot: () => Promise.reject(new Error('api down')) });
  t.is(await boom.server.handle(fx('ovmf-pxe-discover'), meta()), null);
  t.true(boom.lines.some((l) => l.level === 50 && String(l.msg).includes('staying silent')));
});

test('no iPXE binary for the arch → ignored and logged', async (t) => {
  const { server, seen, lines } = setup({ firmwareFile: () => undefined });
  t.is(await server.handle(fx('ovmf-pxe-discover'), meta()), null);
  t.like(seen.at(-1), { type: 'boot:ignored' });
  t.true(lines.some((l) => String(l.msg).includes('no iPXE binary')));
});

test('an unknown architecture is logged once per MAC and ignored', async (t) => {
  const { server, lines, asked } = setup();
  const r = decodePacket(fx('ovmf-pxe-discover'));
  if (!r.ok) return t.fail();
  r.packet.options.set(Opt.ClientArch, Uint8Array.of(0, 27)); // RISC-V 64-bit UEFI
  const bytes = encodePacket(r.packet);
  for (let i = 0; i < 3; i++) t.is(await server.handle(bytes, meta()), null);
  t.is(lines.filter((l) => l.level === 40 && String(l.msg).includes('unknown client architecture 27')).length, 1);
  t.deepEqual(asked, []);
});

test('malformed packets are counted and dropped', async (t) => {
  const { server } = setup();
  t.is(await server.handle(Buffer.from('nonsense'), meta()), null);
  t.is(server.stats.malformed, 1);
});

test('start() with a --listen-addr that is not on this host fails with PIXIE_ERR_BIND', async (t) => {
  const { server } = setup({ listenAddr: '192.0.2.123' });
  const e = await t.throwsAsync(server.start());
  t.is((e as { code?: string }).code, 'PIXIE_ERR_BIND');
});

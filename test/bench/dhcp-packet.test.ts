/**
 * The boot-storm simulator's DHCP packets (bench/lib/dhcp-packet.mjs), checked with
 * pixie's own codec and classifier, and against a proxy OFFER dnsmasq 2.90 sent in
 * proxy mode with a `pxe-service` (its option 43 boot menu, captured in a netns).
 */
import test from 'ava';
import { bootServerRequest, discover, firstMenuItem, parseReply } from '../../bench/lib/dhcp-packet.mjs';
import { decodePacket, encodePacket } from '../../core/dhcp/packet.js';
import { buildReply, classifyRequest } from '../../core/dhcp/pxe.js';
import { Opt } from '../../core/dhcp/options.js';

const MAC = Buffer.from([0x02, 0xbb, 0, 0, 0, 7]);

function decode(buf: Buffer) {
  const r = decodePacket(buf);
  if (!r.ok) throw new Error(`pixie could not decode the packet: ${r.error.code}`);
  return r.packet;
}

test('the PXE ROM DISCOVER is a BIOS PXE request with the broadcast flag', (t) => {
  const p = decode(discover(MAC, 0x1234abcd));
  t.is(p.xid, 0x1234abcd);
  t.is(p.flags & 0x8000, 0x8000);
  t.is(p.options.get(Opt.MessageType)?.[0], 1);
  const c = classifyRequest(p, { port: 67 });
  if (c.kind !== 'boot') return t.fail(`classified as ${c.kind}`);
  t.is(c.machine.mac, '02:bb:00:00:00:07');
  t.is(c.machine.firmware, 'bios');
  t.is(c.machine.stage, 'pxe');
});

test('the iPXE DISCOVER carries user class iPXE and the HTTP feature', (t) => {
  const c = classifyRequest(decode(discover(MAC, 1, { ipxe: true })), { port: 67 });
  if (c.kind !== 'boot') return t.fail(`classified as ${c.kind}`);
  t.is(c.machine.stage, 'ipxe');
  t.true(c.machine.ipxeHttp);
});

test('parseReply reads the boot file, siaddr and xid of an OFFER pixie builds', (t) => {
  const req = decode(discover(MAC, 77));
  const c = classifyRequest(req, { port: 67 });
  if (c.kind !== 'boot') return t.fail();
  const offer = encodePacket(buildReply(req, c.machine, { serverAddress: '10.78.0.1', bootFile: 'undionly.kpxe', type: 'offer' }));
  const r = parseReply(offer);
  t.like(r, { xid: 77, type: 2, siaddr: '10.78.0.1', serverId: '10.78.0.1', file: 'undionly.kpxe' });
  t.is(parseReply(Buffer.alloc(100)), undefined);
});

test("the first boot item of dnsmasq's proxy menu, and the 4011 REQUEST for it", (t) => {
  // Option 43 of dnsmasq 2.90's proxy OFFER for `--pxe-service=x86PC,storm,undionly`:
  // discovery control 3, boot servers (type 0x8000 at 10.78.0.1), menu, prompt.
  const menu = Buffer.from('0601030a040050584508078000010a4e0001090880000573746f726dff', 'hex');
  t.is(firstMenuItem(menu), 0x8000);
  t.is(firstMenuItem(Buffer.from([6, 1, 8, 255])), undefined);
  t.is(firstMenuItem(undefined), undefined);
  const p = decode(bootServerRequest(MAC, 9, '10.78.0.10', 0x8000));
  t.is(p.ciaddr, '10.78.0.10');
  t.is(p.flags & 0x8000, 0);
  t.is(p.options.get(Opt.MessageType)?.[0], 3);
  t.deepEqual([...(p.options.get(Opt.VendorSpecific) ?? [])], [71, 4, 0x80, 0x00, 0, 0, 255]);
});

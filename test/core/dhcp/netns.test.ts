/**
 * pixie's proxyDHCP against busybox udhcpc, in namespaces this test creates:
 * pixie's namespace has two bridges on two subnets (multi-homed), a client
 * namespace hangs off each.
 */
import test from 'ava';
import { Lab, PXE_CLIENT_ARGS, requireTools, type ServerProc } from './netns.js';

requireTools({ ip: 'iproute2', busybox: 'busybox-static', setpriv: 'util-linux' });

const lab = new Lab();
let srvNs: string;
let c1: string;
let c2: string;
let c3: string;
let server: ServerProc;

const MAC1 = '52:54:00:d1:00:01';
const MAC2 = '52:54:00:d1:00:02';
const MAC3 = '52:54:00:d1:00:03';

test.before(async () => {
  srvNs = lab.ns('srv');
  lab.bridge(srvNs, 'br0', '10.77.1.1/24');
  lab.bridge(srvNs, 'br1', '10.77.2.1/24');
  c1 = lab.ns('c1');
  c2 = lab.ns('c2');
  c3 = lab.ns('c3');
  lab.attach(c1, srvNs, 'br0', MAC1);
  lab.attach(c2, srvNs, 'br1', MAC2);
  lab.attach(c3, srvNs, 'br0', MAC3);
  server = await lab.serve(srvNs, { ignore: [MAC3] });
  if (server.lines[0]?.event !== 'ready') throw new Error(`pixie did not start: ${JSON.stringify(server.lines)} ${server.stderr()}`);
});

test.after.always(async () => {
  await server?.stop();
  await lab.cleanup();
});

test.serial('a PXE client (udhcpc with PXEClient vendor class) gets the proxy offer and ACK', async (t) => {
  const env = await lab.udhcpc(c1, PXE_CLIENT_ARGS);
  t.truthy(env, 'udhcpc got no answer from pixie');
  t.is(env?.siaddr, '10.77.1.1');
  t.is(env?.serverid, '10.77.1.1');
  t.is(env?.boot_file, 'undionly.kpxe');
  t.is(env?.vendor, 'PXEClient');
  t.is(env?.ip, '0.0.0.0', 'a proxy offer carries no address');
  t.is(env?.opt43, '060108ff', 'BIOS: PXE discovery control = use the boot file');
  await server.waitFor((l) => l.event === 'dhcp:offer' && l.payload?.machine?.mac === MAC1, 5000);
});

test.serial('multi-homed: a client on the second subnet gets that subnet’s server address', async (t) => {
  const env = await lab.udhcpc(c2, PXE_CLIENT_ARGS);
  t.is(env?.siaddr, '10.77.2.1');
  t.is(env?.serverid, '10.77.2.1');
  const again = await lab.udhcpc(c1, PXE_CLIENT_ARGS);
  t.is(again?.siaddr, '10.77.1.1');
  const offer = await server.waitFor((l) => l.event === 'dhcp:offer' && l.payload?.machine?.mac === MAC2, 5000);
  t.is(offer.payload?.serverAddress, '10.77.2.1');
});

test.serial('a plain DHCP client gets nothing from pixie', async (t) => {
  const before = server.lines.length;
  t.is(await lab.udhcpc(c1, []), null);
  t.deepEqual(server.lines.slice(before), [], 'pixie reacted to a non-PXE client');
});

test.serial('an ignored MAC (shouldBoot false) gets nothing', async (t) => {
  t.is(await lab.udhcpc(c3, PXE_CLIENT_ARGS), null);
  await server.waitFor((l) => l.event === 'boot:ignored' && l.payload?.machine?.mac === MAC3, 5000);
  t.false(server.lines.some((l) => l.event === 'dhcp:offer' && l.payload?.machine?.mac === MAC3));
});

test.serial('port 67 owned by another program → PIXIE_ERR_BIND naming --dhcp-no-bind', async (t) => {
  const ns = lab.ns('busy');
  lab.bridge(ns, 'br0', '10.77.9.1/24');
  // A plain UDP socket on 0.0.0.0:67 without SO_REUSEADDR, like a DHCP server in wildcard mode.
  const holder = lab.spawnIn(ns, [process.execPath, '-e', "require('dgram').createSocket('udp4').bind(67, '0.0.0.0', () => console.log('bound'))"]);
  await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
  const s = await lab.serve(ns, {});
  const line = s.lines[0];
  t.is(line?.event, 'error');
  t.is(line?.code, 'PIXIE_ERR_BIND');
  t.regex(line?.message ?? '', /--dhcp-no-bind/);
  await s.stop();
});

test.serial('without privileges → PIXIE_ERR_BIND naming the capability to grant', async (t) => {
  const ns = lab.ns('priv');
  const bound = await lab.serve(ns, {}, { unprivileged: true });
  t.like(bound.lines[0], { event: 'error', code: 'PIXIE_ERR_BIND' });
  t.regex(bound.lines[0]?.message ?? '', /CAP_NET_BIND_SERVICE/);
  const raw = await lab.serve(ns, { noBind: true }, { unprivileged: true });
  t.like(raw.lines[0], { event: 'error', code: 'PIXIE_ERR_BIND' });
  t.regex(raw.lines[0]?.message ?? '', /CAP_NET_RAW/);
});

test.serial('--listen-addr restricts pixie to the interface holding that address', async (t) => {
  await server.stop(); // the wildcard instance; this one takes its place on 67/4011
  const only = await lab.serve(srvNs, { listenAddr: '10.77.2.1' });
  try {
    t.is(only.lines[0]?.event, 'ready');
    t.is(await lab.udhcpc(c1, PXE_CLIENT_ARGS, 1), null, 'a request on br0 was answered');
    const env = await lab.udhcpc(c2, PXE_CLIENT_ARGS);
    t.is(env?.siaddr, '10.77.2.1');
    t.false(only.lines.some((l) => l.payload?.machine?.mac === MAC1));
  } finally {
    await only.stop();
  }
});

/**
 * --dhcp-no-bind next to a real DHCP server on the same host: dnsmasq owns
 * port 67 and hands out addresses, pixie only adds boot information.
 * pixie starts first; dnsmasq then binds 0.0.0.0:67 in its default wildcard
 * mode, which fails if anything else holds the port — so dnsmasq starting is
 * itself the proof that pixie did not bind 67.
 * A QEMU VM (BIOS, QEMU's built-in iPXE ROM) must then combine both: it can
 * only fetch pixie's script URL over HTTP once it has dnsmasq's address.
 */
import test from 'ava';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { Lab, requireTools, type ServerProc } from './netns.js';

requireTools({ ip: 'iproute2', busybox: 'busybox-static', dnsmasq: 'dnsmasq-base', 'qemu-system-x86_64': 'qemu-system-x86' });
const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';
if (!existsSync(OVMF_CODE) || !existsSync(OVMF_VARS)) throw new Error(`missing ${OVMF_CODE}/${OVMF_VARS}: apt-get install -y ovmf`);

const lab = new Lab();
let ns: string;
let client: string;
let server: ServerProc;
let http: ReturnType<typeof httpRecorder>;
const VM_MAC = '52:54:00:d2:00:01';

/** A tiny HTTP listener in the namespace that reports each request (path + peer). */
function httpRecorder(netns: string) {
  const code = `require('http').createServer((q, s) => { console.log(JSON.stringify({ url: q.url, from: q.socket.remoteAddress })); s.statusCode = 404; s.end(); }).listen(8080, '10.78.1.1', () => console.log('{"ready":true}'))`;
  const p = lab.spawnIn(netns, [process.execPath, '-e', code]);
  const seen: Array<{ url?: string; from?: string; ready?: boolean }> = [];
  createInterface({ input: p.stdout! }).on('line', (l) => seen.push(JSON.parse(l) as { url?: string }));
  return seen;
}

async function until<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Start a UEFI (OVMF, q35) VM on a new tap; extra QEMU args after the NIC. */
function startOvmf(mac: string, extra: string[] = []) {
  const tap = lab.tap(ns, 'br0');
  const vars = join(lab.dir, `vars-${mac.replace(/:/g, '')}.fd`);
  copyFileSync(OVMF_VARS, vars);
  return lab.spawnIn(ns, [
    'qemu-system-x86_64', '-accel', 'tcg', '-machine', 'q35', '-nodefaults', '-m', '256', '-no-reboot',
    '-display', 'none', '-monitor', 'none',
    '-drive', `if=pflash,format=raw,readonly=on,file=${OVMF_CODE}`, '-drive', `if=pflash,format=raw,file=${vars}`,
    '-netdev', `tap,id=n0,ifname=${tap},script=no,downscript=no`, '-device', `virtio-net-pci,netdev=n0,mac=${mac},romfile=`,
    ...extra,
  ], { stdout: 'ignore' });
}

test.before(async () => {
  ns = lab.ns('srv');
  lab.bridge(ns, 'br0', '10.78.1.1/24');
  client = lab.ns('cl');
  lab.attach(client, ns, 'br0', '52:54:00:d2:00:09');
  server = await lab.serve(ns, { noBind: true });
  if (server.lines[0]?.event !== 'ready') throw new Error(`pixie --dhcp-no-bind did not start: ${JSON.stringify(server.lines)} ${server.stderr()}`);
  const dnsmasq = lab.spawnIn(ns, [
    'dnsmasq', '--no-daemon', '--conf-file=/dev/null', '--port=0', '--no-ping', '--log-dhcp',
    '--dhcp-range=10.78.1.100,10.78.1.150,255.255.255.0,5m',
    `--dhcp-leasefile=${join(lab.dir, 'leases')}`, `--pid-file=${join(lab.dir, 'dnsmasq.pid')}`,
  ]);
  let log = '';
  dnsmasq.stderr!.on('data', (d: Buffer) => void (log += d.toString()));
  await until(() => (dnsmasq.exitCode !== null ? 'exited' : /started, version/.test(log) ? 'ok' : undefined), 10000, 'dnsmasq to start');
  if (dnsmasq.exitCode !== null) throw new Error(`dnsmasq could not start next to pixie --dhcp-no-bind (port 67 taken?): ${log}`);
  http = httpRecorder(ns);
  await until(() => (http.some((h) => h.ready) ? true : undefined), 10000, 'the HTTP recorder');
});

test.after.always(async () => {
  await server?.stop();
  await lab.cleanup();
});

test.serial('a plain client gets its address from dnsmasq; pixie stays silent', async (t) => {
  const env = await lab.udhcpc(client, []);
  t.truthy(env, 'no lease from dnsmasq');
  t.regex(env?.ip ?? '', /^10\.78\.1\.1[0-5]\d$/);
  t.is(env?.serverid, '10.78.1.1');
  t.false(server.lines.some((l) => l.event === 'dhcp:offer'));
});

test.serial('a QEMU iPXE VM gets dnsmasq’s address and pixie’s boot info', async (t) => {
  const tap = lab.tap(ns, 'br0');
  const serial = join(lab.dir, 'vm-serial.log');
  const vm = lab.spawnIn(ns, [
    'qemu-system-x86_64', '-accel', 'tcg', '-machine', 'pc', '-m', '256', '-boot', 'n', '-no-reboot',
    '-display', 'none', '-monitor', 'none', '-serial', `file:${serial}`,
    '-netdev', `tap,id=n0,ifname=${tap},script=no,downscript=no`, '-device', `virtio-net-pci,netdev=n0,mac=${VM_MAC}`,
  ], { stdout: 'ignore' });
  const want = `/_/ipxe?mac=${VM_MAC}&arch=x64`;
  // iPXE percent-encodes the colons; compare decoded.
  const hit = await until(() => http.find((h) => h.url !== undefined && decodeURIComponent(h.url) === want), 100_000, `the VM to fetch ${want}`).catch((e: Error) => {
    const console = existsSync(serial) ? readFileSync(serial, 'latin1').slice(-3000) : '(no serial output)';
    throw new Error(`${e.message}\nHTTP: ${JSON.stringify(http)}\npixie: ${JSON.stringify(server.lines)}\nVM console: ${console}`);
  }).finally(() => vm.kill('SIGKILL'));
  t.regex(hit.from ?? '', /^(::ffff:)?10\.78\.1\.1[0-5]\d$/, 'the VM used an address from dnsmasq’s range');
  const offer = server.lines.find((l) => l.event === 'dhcp:offer' && l.payload?.machine?.mac === VM_MAC);
  t.is(offer?.payload?.serverAddress, '10.78.1.1');
  t.is(offer?.payload?.bootFile, `http://10.78.1.1:8080${want}`);
  // iPXE's REQUEST names 10.78.1.1 (dnsmasq, same host) and asks for its lease: not pixie's to ACK.
  t.false(server.lines.some((l) => l.event === 'dhcp:discover' && (l.payload as { messageType?: string }).messageType === 'request'));
});

test.serial('UEFI PXE (OVMF) takes the proxy offer and asks the PXE boot server on 4011', async (t) => {
  const mac = '52:54:00:d2:00:02';
  const vm = startOvmf(mac);
  try {
    const ack = await server.waitFor((l) => l.event === 'dhcp:offer' && l.payload?.machine?.mac === mac && (l as { payload: { port?: number } }).payload.port === 4011, 120_000);
    t.is(ack.payload?.bootFile, 'ipxe.efi');
    t.is(ack.payload?.serverAddress, '10.78.1.1');
  } finally {
    vm.kill('SIGKILL');
  }
});

test.serial('UEFI HTTP Boot (OVMF) fetches the iPXE binary URL from pixie’s offer', async (t) => {
  const mac = '52:54:00:d2:00:03';
  const vm = startOvmf(mac, ['-fw_cfg', 'name=opt/org.tianocore/IPv4PXESupport,string=n', '-fw_cfg', 'name=opt/org.tianocore/IPv6PXESupport,string=n']);
  try {
    const hit = await until(() => http.find((h) => h.url === '/_/firmware/ipxe.efi'), 120_000, 'OVMF to fetch /_/firmware/ipxe.efi').catch((e: Error) => {
      throw new Error(`${e.message}\nHTTP: ${JSON.stringify(http)}\npixie: ${JSON.stringify(server.lines.filter((l) => l.payload?.machine?.mac === mac))}`);
    });
    t.regex(hit.from ?? '', /^(::ffff:)?10\.78\.1\.1[0-5]\d$/);
  } finally {
    vm.kill('SIGKILL');
  }
});

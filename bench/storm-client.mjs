#!/usr/bin/env node
// The boot-storm client simulator (bench/boot-storm.mjs runs one or more of these, each in
// a client network namespace). Every simulated machine has its own MAC and does what a
// BIOS PXE ROM followed by iPXE does:
//   1. broadcast a PXE DISCOVER (vendor class PXEClient, option 93 = 0) → proxy OFFER with
//      a boot file name and a TFTP server (siaddr) — or with a PXE boot menu, then a
//      REQUEST to the boot server's port 4011 → ACK with the file;
//   2. TFTP-read that boot file, lock-step (bench/lib/tftp-get.mjs);
//   3. broadcast an iPXE DISCOVER (user class "iPXE", option 175) → OFFER whose boot file
//      is the script URL;
//   4. GET the script, take the URL of its `kernel` line;
//   5. GET the kernel, counting bytes (then any `imgfetch … ||` URL, as iPXE would).
// Replies to the broadcasts come back broadcast to port 68 for every client at once, so
// one socket receives them and hands each to its client by xid.
//
// argv[2]: JSON { clients, firstIndex, macPrefix: [b0,b1,b2], clientIp, stepTimeoutMs,
// bootFileBytes, kernelBytes }. Prints {"ready":true} once its port-68 socket is bound, starts on a "go"
// line on stdin, and prints one JSON result line at the end.
import dgram from 'node:dgram';
import http from 'node:http';
import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';
import { bootServerRequest, discover, firstMenuItem, parseReply } from './lib/dhcp-packet.mjs';
import { tftpGet } from './lib/tftp-get.mjs';

const cfg = JSON.parse(process.argv[2] ?? '{}');
const stepTimeoutMs = cfg.stepTimeoutMs ?? 20_000;
const now = () => performance.timeOrigin + performance.now();

const waiting = new Map(); // xid → (reply) => void
const dhcp = dgram.createSocket({ type: 'udp4', reuseAddr: true });
dhcp.on('message', (msg) => {
  const r = parseReply(msg);
  if (!r) return;
  waiting.get(r.xid)?.(r);
});

function step(name, ms, run) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: no result after ${ms} ms`)), ms);
    run().then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/**
 * Broadcasts a DISCOVER (again every second) until an OFFER with a boot file comes, or
 * one with a PXE boot menu: then asks the boot server on port 4011 for the first menu
 * item's file, as PXE ROMs and iPXE do (dnsmasq's proxy mode answers that way).
 */
async function dhcpBootFile(mac, ipxe) {
  const offer = await exchange(discover, mac, ipxe, (r) => r.type === 2 && (r.file || firstMenuItem(r.vendorOptions) !== undefined), 67, '255.255.255.255');
  if (offer.file) return offer;
  const item = firstMenuItem(offer.vendorOptions);
  const server = offer.serverId ?? offer.siaddr;
  const build = (m, xid, o) => bootServerRequest(m, xid, cfg.clientIp, item, o);
  const ack = await exchange(build, mac, ipxe, (r) => r.type === 5 && Boolean(r.file), 4011, server);
  return { ...ack, siaddr: ack.siaddr !== '0.0.0.0' ? ack.siaddr : server };
}

/** Sends `build(mac, xid)` to address:port (again every second) until `accept(reply)`. */
function exchange(build, mac, ipxe, accept, port, address) {
  let xid;
  do xid = randomInt(1, 2 ** 32 - 1);
  while (waiting.has(xid));
  const packet = build(mac, xid, { ipxe });
  return new Promise((resolve, reject) => {
    let timer;
    const stop = () => {
      clearInterval(timer);
      waiting.delete(xid);
    };
    waiting.set(xid, (r) => {
      if (!accept(r)) return;
      stop();
      resolve(r);
    });
    const send = () => dhcp.send(packet, port, address, (err) => {
      if (err) {
        stop();
        reject(err);
      }
    });
    timer = setInterval(send, 1000);
    send();
    // The step timeout rejects the outer promise; stop retransmitting then too.
    setTimeout(stop, stepTimeoutMs).unref();
  });
}

/** GET `url`; resolves with the body (when `keep`) and the byte count. */
function get(url, agent, keep) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`GET ${url}: HTTP ${res.statusCode}`));
        return;
      }
      let bytes = 0;
      const chunks = [];
      res.on('data', (c) => {
        bytes += c.length;
        if (keep) chunks.push(c);
      });
      res.on('end', () => resolve({ bytes, body: keep ? Buffer.concat(chunks).toString('utf8') : '' }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(stepTimeoutMs, () => req.destroy(new Error(`GET ${url}: timed out`)));
  });
}

async function client(i) {
  const mac = Buffer.from([...cfg.macPrefix, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff]);
  const rec = { mac: [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':'), ok: false, t: {} };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let stepName = 'dhcp';
  let at = now();
  rec.start = at;
  const mark = (name) => {
    const t = now();
    rec.t[name] = Math.round(t - at);
    at = t;
  };
  try {
    const offer = await step('dhcp', stepTimeoutMs, () => dhcpBootFile(mac, false));
    mark('dhcp');
    stepName = 'tftp';
    const server = offer.siaddr !== '0.0.0.0' ? offer.siaddr : offer.serverId;
    const size = await tftpGet(server, offer.file, { timeoutMs: stepTimeoutMs });
    if (cfg.bootFileBytes && size !== cfg.bootFileBytes) throw new Error(`tftp: ${offer.file} is ${size} bytes, expected ${cfg.bootFileBytes}`);
    mark('tftp');
    stepName = 'ipxe-dhcp';
    const ipxeOffer = await step('ipxe-dhcp', stepTimeoutMs, () => dhcpBootFile(mac, true));
    if (!/^http:\/\//.test(ipxeOffer.file)) throw new Error(`ipxe-dhcp: boot file is not an http URL: ${ipxeOffer.file}`);
    mark('ipxeDhcp');
    stepName = 'script';
    const script = await get(ipxeOffer.file, agent, true);
    const kernel = /^kernel\s.*?(https?:\/\/\S+)/m.exec(script.body)?.[1];
    if (!kernel) throw new Error(`script: no kernel line in ${JSON.stringify(script.body.slice(0, 200))}`);
    mark('script');
    stepName = 'kernel';
    const got = await get(new URL(kernel, ipxeOffer.file).href, agent, false);
    if (cfg.kernelBytes && got.bytes !== cfg.kernelBytes) throw new Error(`kernel: ${got.bytes} bytes, expected ${cfg.kernelBytes}`);
    mark('kernel');
    // `imgfetch … ||` lines (pixie's "booting" beacon): iPXE fetches them and carries on if they fail.
    for (const m of script.body.matchAll(/^imgfetch\s.*?(https?:\/\/\S+).*\|\|\s*$/gm)) {
      await get(new URL(m[1], ipxeOffer.file).href, agent, false).catch(() => undefined);
    }
    rec.ok = true;
  } catch (err) {
    rec.failedStep = stepName;
    rec.error = err.message;
  } finally {
    rec.end = now();
    agent.destroy();
  }
  return rec;
}

dhcp.bind(68, () => {
  dhcp.setBroadcast(true);
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
});

let started = false;
process.stdin.setEncoding('utf8');
process.stdin.on('data', async (text) => {
  if (started || !text.includes('go')) return;
  started = true;
  const first = cfg.firstIndex ?? 0;
  const records = await Promise.all(Array.from({ length: cfg.clients }, (_, k) => client(first + k)));
  dhcp.close();
  process.stdout.write(`${JSON.stringify({ records })}\n`);
  process.exit(0);
});

#!/usr/bin/env node
// proxyDHCP benchmark: perfdhcp (Debian's kea-admin) sends PXE DISCOVERs (option 60
// PXEClient, option 93 = 0) at a fixed rate to pixie's proxyDHCP and, as the reference, to
// dnsmasq in proxy mode (dhcp-range=…,proxy + pxe-service). Each runs alone in a pair of
// network namespaces made here (veth, 10.79.0.0/24) and removed afterwards. perfdhcp acts
// as a relay (giaddr set), so replies are unicast back to it.
//
// Reports offers/s, drop ratio and latency (min/avg/max from perfdhcp; p50/p99 computed
// from the per-exchange timestamps `-x t` prints) and the pixie/dnsmasq ratios. Bounded: DHCP_BENCH_SECONDS (default 10) at
// DHCP_BENCH_RATE DISCOVERs/s (default 10000), every command under a timeout.
// Usage (root): node bench/dhcp.mjs   — results also go to bench/results/dhcp.json.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { customRow, printResult } from './lib/result.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rate = Number(process.env.DHCP_BENCH_RATE ?? 10000);
const seconds = Number(process.env.DHCP_BENCH_SECONDS ?? 10);
const clients = Number(process.env.DHCP_BENCH_CLIENTS ?? 1000);
const sh = (...a) => execFileSync(a[0], a.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

for (const [tool, pkg] of [['perfdhcp', 'kea-admin'], ['dnsmasq', 'dnsmasq-base'], ['ip', 'iproute2']]) {
  try {
    sh('sh', '-c', `command -v ${tool}`);
  } catch {
    console.error(`bench/dhcp: missing ${tool} (apt-get install -y ${pkg})`);
    process.exit(1);
  }
}

/** Run one server (started by `start(ns, dir)`) against perfdhcp; returns parsed stats. */
async function scenario(name, start) {
  const tag = `pxt-dhcp-b${process.pid}`;
  const srv = `${tag}-s`;
  const cli = `${tag}-c`;
  const dir = mkdtempSync(join(tmpdir(), 'pxt-dhcp-bench-'));
  let proc;
  try {
    sh('ip', 'netns', 'add', srv);
    sh('ip', 'netns', 'add', cli);
    sh('ip', 'link', 'add', 'vbench0', 'netns', srv, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', cli);
    for (const [ns, dev, addr] of [[srv, 'vbench0', '10.79.0.1/24'], [cli, 'eth0', '10.79.0.2/24']]) {
      sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
      sh('ip', '-n', ns, 'addr', 'add', addr, 'dev', dev);
      sh('ip', '-n', ns, 'link', 'set', dev, 'up');
    }
    proc = start(srv, dir);
    await sleep(3000);
    if (proc.exitCode !== null) throw new Error(`${name} exited early`);
    const vendor = Buffer.from('PXEClient:Arch:00000:UNDI:002001').toString('hex');
    let out;
    try {
      out = sh('ip', 'netns', 'exec', cli, 'timeout', String(seconds + 20), 'perfdhcp', '-4', '-i', '-l', '10.79.0.2',
        '-o', `60,${vendor}`, '-o', '93,0000', '-r', String(rate), '-p', String(seconds), '-R', String(clients), '-x', 't', '10.79.0.1');
    } catch (e) {
      // perfdhcp exits non-zero when any packet was dropped; its report is still on stdout.
      out = String(e.stdout ?? '');
      if (!/Rate:/.test(out)) throw e;
    }
    const num = (re) => Number(re.exec(out)?.[1] ?? NaN);
    // "sent / received: 000001.710679 / 000001.711007" per successful exchange (-x t).
    const delays = [...out.matchAll(/sent \/ received: ([\d.]+) \/ ([\d.]+)/g)].map((m) => (Number(m[2]) - Number(m[1])) * 1000).sort((a, b) => a - b);
    const pct = (q) => (delays.length ? Number(delays[Math.min(delays.length - 1, Math.floor(q * delays.length))].toFixed(3)) : NaN);
    return {
      name,
      offersPerSec: num(/Rate:\s*([\d.]+)/),
      sent: num(/sent packets:\s*(\d+)/),
      received: num(/received packets:\s*(\d+)/),
      dropPct: num(/drops ratio:\s*([\d.]+)/),
      minMs: num(/min delay:\s*([\d.]+)/),
      avgMs: num(/avg delay:\s*([\d.]+)/),
      maxMs: num(/max delay:\s*([\d.]+)/),
      stddevMs: num(/std deviation:\s*([\d.]+)/),
      p50Ms: pct(0.5),
      p99Ms: pct(0.99),
    };
  } finally {
    if (proc && proc.exitCode === null) proc.kill('SIGTERM');
    await sleep(300);
    for (const ns of [cli, srv]) {
      try {
        sh('ip', 'netns', 'del', ns);
      } catch {
        // not created
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

const dnsmasq = await scenario('dnsmasq proxy', (ns, dir) =>
  spawn('ip', ['netns', 'exec', ns, 'dnsmasq', '--no-daemon', '--conf-file=/dev/null', '--port=0', '--no-ping',
    '--bind-interfaces', '--interface=vbench0', '--dhcp-range=10.79.0.0,proxy,255.255.255.0',
    '--pxe-service=x86PC,pixie bench,undionly', `--pid-file=${join(dir, 'pid')}`, `--dhcp-leasefile=${join(dir, 'leases')}`],
  { stdio: 'ignore' }));
const pixie = await scenario('pixie', (ns) =>
  spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', join(root, 'test/core/dhcp/harness/serve.ts'), '{"quiet":true}'],
    { stdio: 'ignore', cwd: root }));

const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? Number((a / b).toFixed(2)) : null);
const result = {
  scenario: 'proxyDHCP PXE DISCOVER → OFFER (perfdhcp)',
  rate, seconds, clients,
  dnsmasq, pixie,
  ratios: {
    offersPerSec: ratio(pixie.offersPerSec, dnsmasq.offersPerSec),
    avgLatency: ratio(pixie.avgMs, dnsmasq.avgMs),
    maxLatency: ratio(pixie.maxMs, dnsmasq.maxMs),
  },
  target: 'drops ≤ 0.5 %, latency comparable to dnsmasq (shared/PERFORMANCE.md)',
};
console.table([dnsmasq, pixie]);
console.log(`pixie/dnsmasq: offers/s ×${result.ratios.offersPerSec}, avg latency ×${result.ratios.avgLatency}, max latency ×${result.ratios.maxLatency}`);
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/dhcp.json'), JSON.stringify(result, null, 2) + '\n');
printResult('dhcp', [
  customRow({ scenario: `proxyDHCP ${rate}/s PXE DISCOVERs: loss`, unit: '% lost', peerName: 'dnsmasq proxy', peer: dnsmasq.dropPct, pixie: pixie.dropPct, digits: 2, showRatio: false,
    target: '≤ 0.5 %', met: Number.isFinite(pixie.dropPct) ? pixie.dropPct <= 0.5 : null }),
  customRow({ scenario: `proxyDHCP ${rate}/s PXE DISCOVERs: p99 latency`, unit: 'ms', peerName: 'dnsmasq proxy', peer: dnsmasq.p99Ms, pixie: pixie.p99Ms, digits: 2,
    target: '≤ 2 ms', met: Number.isFinite(pixie.p99Ms) ? pixie.p99Ms <= 2 : null }),
], { rate, seconds, clients, dnsmasq, pixie });

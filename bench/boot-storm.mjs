#!/usr/bin/env node
// Boot storm: many simulated machines power on at once and each goes through the whole
// network boot — proxyDHCP DISCOVER → TFTP boot file → iPXE DISCOVER → script → kernel
// over HTTP (bench/storm-client.mjs). Against pixie (`pixie boot <12 MiB kernel>`) and
// against the reference, dnsmasq proxy DHCP + tftpd-hpa (or dnsmasq's TFTP) + nginx,
// serving the same bytes (the bundled undionly.kpxe, the same kernel file).
//
// Network: a server namespace with a bridge (10.78.0.1/24) and one client namespace per
// client process (veth to the bridge), all made here and deleted afterwards. Rounds
// alternate reference, pixie, reference, pixie …, each round with fresh servers and fresh
// MACs; reported: the best wall time of each (first DISCOVER → last kernel byte) and all
// failures. Target (shared/PERFORMANCE.md): 0 failures, ≤ 0.8× the reference wall time.
// Bounded: every step has a timeout (--step-timeout, default 20 s), a round at most 120 s.
//
// Usage (root): node bench/boot-storm.mjs [--clients 200] [--rounds 2] [--client-procs 2]
//   [--kernel-mib 12] [--peer-tftp tftpd-hpa|dnsmasq] [--pixie-config file] [--keep]
import { copyFileSync, mkdirSync, mkdtempSync, openSync, closeSync, rmSync, statSync, writeFileSync, writeSync, chmodSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PIXIE_CLI, ROOT, addNamespace, deleteNamespace, median, requireBuild, requireSetup, sh, sleep, start, stop, waitForText, writeNginxConfig } from './lib/common.mjs';
import { printResult, ratioRow } from './lib/result.mjs';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '2' },
    'client-procs': { type: 'string', default: '2' },
    'kernel-mib': { type: 'string', default: '12' },
    'peer-tftp': { type: 'string', default: 'tftpd-hpa' },
    'step-timeout': { type: 'string', default: '20000' },
    // A pixie config file (e.g. {"tftp":{"maxTransfers":256}}) instead of the defaults.
    'pixie-config': { type: 'string' },
    // Keep the scratch folder (server logs per round) and print where it is.
    keep: { type: 'boolean', default: false },
  },
});
const clients = Number(values.clients);
const rounds = Number(values.rounds);
const clientProcs = Math.max(1, Math.min(8, Number(values['client-procs'])));
const kernelBytes = Number(values['kernel-mib']) * 1024 * 1024;
const peerTftp = values['peer-tftp'];
const stepTimeoutMs = Number(values['step-timeout']);
if (!(clients >= 1 && clients <= 1000) || !(rounds >= 1 && rounds <= 10) || !['tftpd-hpa', 'dnsmasq'].includes(peerTftp)) {
  console.error('usage: boot-storm.mjs [--clients 1..1000] [--rounds 1..10] [--client-procs 1..8] [--kernel-mib N] [--peer-tftp tftpd-hpa|dnsmasq]');
  process.exit(2);
}
requireSetup('boot-storm', { ip: 'iproute2', dnsmasq: 'dnsmasq-base', nginx: 'nginx-light', 'in.tftpd': 'tftpd-hpa', curl: 'curl' });
requireBuild('boot-storm');

const SERVER = '10.78.0.1';
const PORT = 8080;
const BOOT_FILE = 'undionly.kpxe';
const log = (s) => console.error(`bench/boot-storm: ${s}`);

const dir = mkdtempSync(join(tmpdir(), 'pxt-bench-storm-'));
chmodSync(dir, 0o755); // nginx workers and in.tftpd drop privileges
const www = join(dir, 'www');
const tftpRoot = join(dir, 'tftp');
mkdirSync(www);
mkdirSync(tftpRoot);
const kernel = join(www, 'kernel.bin');
{
  const fd = openSync(kernel, 'w');
  const chunk = randomBytes(1024 * 1024);
  for (let i = 0; i < kernelBytes / chunk.length; i++) writeSync(fd, chunk);
  closeSync(fd);
}
writeFileSync(join(www, 'boot.ipxe'), `#!ipxe\nkernel --name kernel http://${SERVER}:${PORT}/kernel.bin\nboot kernel\n`);
copyFileSync(join(ROOT, 'vendor', 'ipxe', BOOT_FILE), join(tftpRoot, BOOT_FILE));
// dnsmasq's pxe-service names the file <basename>.0 (the PXE convention): the same bytes.
copyFileSync(join(ROOT, 'vendor', 'ipxe', BOOT_FILE), join(tftpRoot, 'undionly.0'));
const bootFileBytes = statSync(join(tftpRoot, BOOT_FILE)).size;

/** The server namespace with its bridge and `clientProcs` client namespaces on it. */
function makeNetwork() {
  const srv = addNamespace('s');
  sh('ip', ['-n', srv, 'link', 'add', 'br0', 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
  sh('ip', ['-n', srv, 'addr', 'add', `${SERVER}/24`, 'dev', 'br0']);
  sh('ip', ['-n', srv, 'link', 'set', 'br0', 'up']);
  // Replies to 255.255.255.255 need a route; the namespace has no other link.
  sh('ip', ['-n', srv, 'route', 'add', 'default', 'dev', 'br0']);
  const cli = [];
  for (let k = 0; k < clientProcs; k++) {
    const ns = addNamespace(`c${k}`);
    sh('ip', ['link', 'add', `vc${k}`, 'netns', srv, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    sh('ip', ['-n', srv, 'link', 'set', `vc${k}`, 'master', 'br0']);
    sh('ip', ['-n', srv, 'link', 'set', `vc${k}`, 'up']);
    sh('ip', ['-n', ns, 'addr', 'add', `10.78.0.${10 + k}/24`, 'dev', 'eth0']);
    sh('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
    sh('ip', ['-n', ns, 'route', 'add', 'default', 'dev', 'eth0']);
    cli.push(ns);
  }
  return { srv, cli };
}

async function waitHttp(ns, url, name) {
  for (let i = 0; i < 100; i++) {
    try {
      sh('ip', ['netns', 'exec', ns, 'curl', '-sf', '-o', '/dev/null', '--max-time', '1', url], 5000);
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`${name} did not answer ${url}`);
}

/** Starts the reference servers in `srv`; returns their processes. */
async function startReference(srv, logDir) {
  const dnsmasqArgs = ['--no-daemon', '--conf-file=/dev/null', '--port=0', '--no-ping', '--bind-interfaces', '--interface=br0',
    '--user=root', `--pid-file=${join(dir, 'dnsmasq.pid')}`, `--dhcp-leasefile=${join(dir, 'dnsmasq.leases')}`,
    `--dhcp-range=${SERVER.replace(/\.1$/, '.0')},proxy,255.255.255.0`,
    '--dhcp-userclass=set:ipxe,iPXE',
    `--pxe-service=tag:!ipxe,x86PC,storm,${BOOT_FILE.replace(/\.kpxe$/, '')}`,
    `--pxe-service=tag:ipxe,x86PC,storm,http://${SERVER}:${PORT}/boot.ipxe`,
  ];
  if (peerTftp === 'dnsmasq') dnsmasqArgs.push('--enable-tftp', `--tftp-root=${tftpRoot}`);
  const procs = [start('dnsmasq', dnsmasqArgs, { ns: srv, logFile: join(logDir, 'dnsmasq.log') })];
  if (peerTftp === 'tftpd-hpa') {
    procs.push(start('in.tftpd', ['-L', '-u', 'root', '-a', `${SERVER}:69`, '-s', tftpRoot], { ns: srv, logFile: join(logDir, 'tftpd.log') }));
  }
  const conf = writeNginxConfig({ dir, listen: `${SERVER}:${PORT}`, root: www });
  procs.push(start('nginx', ['-p', dir, '-c', conf, '-e', join(dir, 'nginx-error.log')], { ns: srv, logFile: join(logDir, 'nginx.log') }));
  await waitHttp(srv, `http://${SERVER}:${PORT}/boot.ipxe`, 'nginx');
  await sleep(500);
  for (const p of procs) if (p.exitCode !== null) throw new Error(`reference server exited early: ${p.text().slice(-500)}`);
  return procs;
}

async function startPixie(srv, logDir) {
  const config = values['pixie-config'] ? ['--config', values['pixie-config']] : [];
  const pixie = start(process.execPath, [PIXIE_CLI, 'boot', kernel, '--port', String(PORT), '--log-format', 'json', '--cache-dir', join(dir, 'cache'), ...config],
    { ns: srv, logFile: join(logDir, 'pixie.log') });
  await waitForText(pixie, /pixie is ready/, 30_000, 'pixie');
  return [pixie];
}

/** One storm: `clients` machines in `clientProcs` processes, started together. */
async function storm(net, macByte) {
  const per = Math.ceil(clients / clientProcs);
  const kids = net.cli.map((ns, k) => start(process.execPath, [join(ROOT, 'bench', 'storm-client.mjs'), JSON.stringify({
    clients: Math.max(0, Math.min(per, clients - k * per)), firstIndex: k * per, macPrefix: [0x02, 0xbb, macByte], clientIp: `10.78.0.${10 + k}`, stepTimeoutMs, bootFileBytes, kernelBytes,
  })], { ns, stdin: 'pipe' }));
  try {
    for (const [k, kid] of kids.entries()) await waitForText(kid, /"ready":true/, 15_000, `storm client ${k}`);
    for (const kid of kids) kid.stdin.write('go\n');
    const deadline = Date.now() + 120_000;
    while (kids.some((k) => k.exitCode === null) && Date.now() < deadline) await sleep(100);
    const records = [];
    for (const [k, kid] of kids.entries()) {
      const line = kid.text().split('\n').find((l) => l.startsWith('{"records"'));
      if (!line) throw new Error(`storm client ${k} gave no result (exit ${kid.exitCode}): ${kid.text().slice(-500)}`);
      records.push(...JSON.parse(line).records);
    }
    return summarize(records);
  } finally {
    for (const kid of kids) await stop(kid, 500);
  }
}

function summarize(records) {
  const ok = records.filter((r) => r.ok);
  const wallMs = Math.max(...records.map((r) => r.end)) - Math.min(...records.map((r) => r.start));
  const steps = {};
  for (const name of ['dhcp', 'tftp', 'ipxeDhcp', 'script', 'kernel']) {
    const xs = ok.map((r) => r.t[name]);
    steps[name] = { p50: median(xs), max: Math.max(...xs) };
  }
  const failures = records.filter((r) => !r.ok).map((r) => `${r.mac} ${r.failedStep}: ${r.error}`);
  return { wallMs: Math.round(wallMs), clients: records.length, ok: ok.length, failed: records.length - ok.length, failures: failures.slice(0, 10), steps };
}

const runs = { reference: [], pixie: [] };
try {
  for (let round = 0; round < rounds; round++) {
    for (const [sys, starter] of [['reference', startReference], ['pixie', startPixie]]) {
      const net = makeNetwork();
      const logDir = join(dir, `${sys}-${round}`);
      mkdirSync(logDir);
      let servers = [];
      try {
        servers = await starter(net.srv, logDir);
        log(`round ${round + 1}/${rounds}: ${sys}, ${clients} clients…`);
        const res = await storm(net, round * 2 + (sys === 'pixie' ? 1 : 0));
        log(`  ${sys}: ${(res.wallMs / 1000).toFixed(2)} s, ${res.failed} failed${res.failed ? ` (${res.failures[0]})` : ''}`);
        runs[sys].push(res);
      } finally {
        for (const p of servers) await stop(p);
        for (const ns of [...net.cli, net.srv]) deleteNamespace(ns);
      }
    }
  }
} finally {
  if (values.keep) log(`logs kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}

const best = (rs) => rs.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
const failedOf = (rs) => rs.reduce((n, r) => n + r.failed, 0);
const [ref, pix] = [best(runs.reference), best(runs.pixie)];
const peerName = `dnsmasq + ${peerTftp === 'tftpd-hpa' ? 'tftpd-hpa' : 'dnsmasq TFTP'} + nginx`;
const row = ratioRow({
  scenario: `boot storm: ${clients} clients DHCP → TFTP → iPXE DHCP → script → ${values['kernel-mib']} MiB`, unit: 's (wall)', peerName,
  peer: ref.wallMs / 1000, pixie: pix.wallMs / 1000, op: '<=', target: 0.8, digits: 2,
});
const pixieFailed = failedOf(runs.pixie);
row.target = '≤ 0.8×, 0 failures';
if (row.met !== null) row.met = row.met && pixieFailed === 0;
row.note = `failures: pixie ${pixieFailed}, peer ${failedOf(runs.reference)} (over ${rounds} round${rounds > 1 ? 's' : ''})`;
console.table(Object.entries(runs).flatMap(([sys, rs]) => rs.map((r, i) => ({ sys, round: i + 1, wallS: r.wallMs / 1000, ok: r.ok, failed: r.failed,
  dhcpP50: r.steps.dhcp.p50, tftpP50: r.steps.tftp.p50, ipxeDhcpP50: r.steps.ipxeDhcp.p50, scriptP50: r.steps.script.p50, kernelP50: r.steps.kernel.p50 }))));
printResult('boot-storm', [row], { clients, rounds, clientProcs, kernelBytes, bootFileBytes, peerTftp, runs });

#!/usr/bin/env node
// TFTP benchmark: pixie's TFTP server against its peers, in one run, inside two network
// namespaces made here (server and client joined by a veth pair, 10.81.0.0/24), removed
// afterwards (also on Ctrl-C):
//   1. 64 MiB lock-step, blksize 1468, atftp client: tftpd-hpa vs pixie  (target ≥ 1.0×)
//   2. 64 MiB windowsize 16, blksize 1468, atftp client: atftpd vs pixie (target ≥ 1.0×)
//   3. 50 concurrent reads of a ~70 KB boot file (bench/tftp-load.mjs): tftpd-hpa vs pixie,
//      files/s (target ≥ 1.3×)
// All three servers run by hand in the server namespace (not as services), each on port 69
// of its own address: tftpd-hpa (`in.tftpd -L`) on .1, atftpd (`--daemon --no-fork`) on .2,
// pixie (bench/tftp-serve.mjs: dist/ when built and current, else the sources through tsx)
// on .3. Runs alternate between peer and pixie and each keeps its best, which evens out
// other load on a shared machine (the medians are printed too). The big file is first
// fetched once from each server and checked byte for byte.
//
// Servers are pinned to CPU 0 and clients to CPU 1 (taskset; TFTP_BENCH_PIN=0 turns it
// off). Lock-step throughput is bound by the wake-up latency of each round trip, and
// unpinned it depends on whether the scheduler happens to put client and server on one
// core (cheap hand-off) or two; pinning makes runs comparable, and matches the real case
// of client and server on different machines.
//
// Needs root, iproute2, atftp, tftpd-hpa (in.tftpd) and an atftpd binary. Debian's atftpd
// package conflicts with tftpd-hpa, so when `atftpd` is not on PATH (or in $ATFTPD) the
// bench unpacks the package into .cache/atftpd with `apt-get download` + `dpkg-deb -x`.
// Bounded: TFTP_BENCH_RUNS (default 4) lock-step runs, TFTP_BENCH_WINDOW_RUNS (default 6)
// windowed runs and 3 rounds of TFTP_BENCH_FILES (default 1000) small reads per server,
// every client under a 120 s timeout; about a minute in all.
// Usage: sudo node bench/tftp.mjs   — results also go to bench/results/tftp.json.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { addNamespace, median, requireSetup, ROOT, sh, start, stop, waitForText } from './lib/common.mjs';
import { printResult, ratioRow, round } from './lib/result.mjs';

const RUNS = Number(process.env.TFTP_BENCH_RUNS ?? 4);
const WINDOW_RUNS = Number(process.env.TFTP_BENCH_WINDOW_RUNS ?? 6);
const FILES = Number(process.env.TFTP_BENCH_FILES ?? 1000);
const SIZE = 64 * 1024 * 1024;
const ADDR = { 'tftpd-hpa': '10.81.0.1', atftpd: '10.81.0.2', pixie: '10.81.0.3' };
const CLIENT = '10.81.0.10';

requireSetup('tftp', { ip: 'iproute2', atftp: 'atftp', 'in.tftpd': 'tftpd-hpa', 'dpkg-deb': 'dpkg', taskset: 'util-linux' });
const PIN = process.env.TFTP_BENCH_PIN !== '0' && availableParallelism() >= 2;
/** `cmd args` pinned to one CPU (when pinning is on). */
const pinned = (cpu, cmd, args) => (PIN ? ['taskset', ['-c', String(cpu), cmd, ...args]] : [cmd, args]);

/** An atftpd binary: $ATFTPD, PATH, or unpacked from Debian's package into .cache/atftpd. */
function findAtftpd() {
  if (process.env.ATFTPD) return process.env.ATFTPD;
  for (const p of ['/usr/sbin/atftpd', join(ROOT, '.cache', 'atftpd', 'usr', 'sbin', 'atftpd')]) if (existsSync(p)) return p;
  try {
    return sh('sh', ['-c', 'command -v atftpd']).trim();
  } catch {
    // not installed: unpack it below
  }
  const cache = join(ROOT, '.cache', 'atftpd');
  const dl = mkdtempSync(join(tmpdir(), 'pxt-atftpd-'));
  try {
    console.error('bench/tftp: atftpd not found; unpacking Debian\'s atftpd package into .cache/atftpd');
    chmodSync(dl, 0o777); // apt's download sandbox user must write here
    execFileSync('apt-get', ['download', 'atftpd'], { cwd: dl, stdio: 'ignore', timeout: 120_000 });
    const deb = readdirSync(dl).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error('no .deb downloaded');
    mkdirSync(cache, { recursive: true });
    sh('dpkg-deb', ['-x', join(dl, deb), cache]);
    return join(cache, 'usr', 'sbin', 'atftpd');
  } catch (e) {
    console.error(`bench/tftp: no atftpd (${e.message}); set ATFTPD=/path/to/atftpd`);
    process.exit(2);
  } finally {
    rmSync(dl, { recursive: true, force: true });
  }
}

const sha256 = (path) =>
  new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path).on('data', (c) => h.update(c)).on('end', () => resolve(h.digest('hex'))).on('error', reject);
  });

/** Runs a client in the client namespace; resolves with wall seconds and output (rejects on failure). */
async function client(cmd, args) {
  const t0 = performance.now();
  const child = start(...pinned(1, cmd, args), { ns: cli });
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const code = await new Promise((r) => child.once('exit', (c, s) => r(c ?? s)));
  clearTimeout(timer);
  const seconds = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${code}): ${child.text().slice(-500)}`);
  return { seconds, out: child.text() };
}

const atftpGet = (server, remote, local, options) =>
  client('atftp', [...options.flatMap((o) => ['--option', o]), '-g', '-r', remote, '-l', local, ADDR[server], '69']);

const atftpd = findAtftpd();
const dir = mkdtempSync(join(tmpdir(), 'pxt-tftp-bench-'));
chmodSync(dir, 0o755); // in.tftpd and atftpd drop privileges
const srv = addNamespace('s');
const cli = addNamespace('c');
const servers = {};
let exitCode = 0;
try {
  // Test files: 64 MiB of random bytes, and a boot file of about 70 KB.
  sh('sh', ['-c', `head -c ${SIZE} /dev/urandom > ${join(dir, 'big.bin')}`]);
  const bootSrc = join(ROOT, 'vendor', 'ipxe', 'undionly.kpxe');
  if (existsSync(bootSrc)) copyFileSync(bootSrc, join(dir, 'boot.bin'));
  else sh('sh', ['-c', `head -c 70000 /dev/urandom > ${join(dir, 'boot.bin')}`]);
  for (const f of ['big.bin', 'boot.bin']) chmodSync(join(dir, f), 0o644);
  const bigDigest = await sha256(join(dir, 'big.bin'));

  const ifS = `pxbt${process.pid}s`.slice(0, 15);
  const ifC = `pxbt${process.pid}c`.slice(0, 15);
  sh('ip', ['link', 'add', ifS, 'netns', srv, 'type', 'veth', 'peer', 'name', ifC, 'netns', cli]);
  for (const addr of Object.values(ADDR)) sh('ip', ['-n', srv, 'addr', 'add', `${addr}/24`, 'dev', ifS]);
  sh('ip', ['-n', cli, 'addr', 'add', `${CLIENT}/24`, 'dev', ifC]);
  for (const [ns, dev] of [[srv, ifS], [cli, ifC]]) sh('ip', ['-n', ns, 'link', 'set', dev, 'up']);

  const logDir = join(dir, 'logs');
  mkdirSync(logDir);
  servers['tftpd-hpa'] = start(...pinned(0, 'in.tftpd', ['-4', '-L', '-u', 'root', '-a', `${ADDR['tftpd-hpa']}:69`, '-s', dir]), { ns: srv, logFile: join(logDir, 'tftpd-hpa.log') });
  servers.atftpd = start(...pinned(0, atftpd, ['--daemon', '--no-fork', '--bind-address', ADDR.atftpd, '--port', '69', '--user', 'root.root', '--logfile', '/dev/null', dir]), { ns: srv, logFile: join(logDir, 'atftpd.log') });
  // The build in dist/ when it is at least as new as the TFTP sources, else the sources via tsx.
  const distServer = join(ROOT, 'dist', 'core', 'tftp', 'server.js');
  const srcDir = join(ROOT, 'core', 'tftp');
  const newestSource = Math.max(...readdirSync(srcDir).map((f) => statSync(join(srcDir, f)).mtimeMs));
  const built = existsSync(distServer) && statSync(distServer).mtimeMs >= newestSource;
  if (!built) process.env.PIXIE_BENCH_SOURCES = '1';
  const node = built ? [] : ['--import', 'tsx'];
  servers.pixie = start(...pinned(0, process.execPath, [...node, join(ROOT, 'bench', 'tftp-serve.mjs'), ADDR.pixie, '69', dir]), { ns: srv, logFile: join(logDir, 'pixie.log') });
  await waitForText(servers.pixie, /^ready /m, 30_000, 'pixie');
  console.error(`bench/tftp: pixie from ${servers.pixie.text().match(/ready \d+ \((\w+)\)/)?.[1] ?? '?'}; ${PIN ? 'servers on CPU 0, clients on CPU 1' : 'not pinned'}; files in ${dir}`);

  // Correctness first: every server delivers the big file intact.
  for (const name of ['tftpd-hpa', 'atftpd', 'pixie']) {
    const out = join(dir, `check-${name}`);
    await atftpGet(name, 'big.bin', out, ['blksize 1468']);
    if ((await sha256(out)) !== bigDigest) throw new Error(`${name} delivered a different big.bin`);
    rmSync(out);
  }

  /** Alternating runs of `fn(server)`; returns per-server lists of figures. */
  async function alternate(names, runs, fn) {
    const got = Object.fromEntries(names.map((n) => [n, []]));
    for (let i = 0; i < runs; i++) {
      for (const name of i % 2 ? [...names].reverse() : names) got[name].push(await fn(name));
    }
    return got;
  }
  const mib = SIZE / (1024 * 1024);
  const lock = await alternate(['tftpd-hpa', 'pixie'], RUNS, async (s) => mib / (await atftpGet(s, 'big.bin', '/dev/null', ['blksize 1468'])).seconds);
  const win = await alternate(['atftpd', 'pixie'], WINDOW_RUNS, async (s) => mib / (await atftpGet(s, 'big.bin', '/dev/null', ['blksize 1468', 'windowsize 16'])).seconds);
  const many = await alternate(['tftpd-hpa', 'pixie'], 3, async (s) => {
    const { out } = await client(process.execPath, [join(ROOT, 'bench', 'tftp-load.mjs'), ADDR[s], 'boot.bin', String(FILES), '50', '1468']);
    const r = JSON.parse(out.trim().split('\n').at(-1));
    if (r.failures) throw new Error(`${s}: ${r.failures} of ${FILES} small reads failed (${r.firstError})`);
    return r.filesPerSec;
  });

  const fmt = (xs) => xs.map((x) => x.toFixed(1)).join(', ');
  console.error(`lock-step MiB/s   tftpd-hpa [${fmt(lock['tftpd-hpa'])}]  pixie [${fmt(lock.pixie)}]`);
  console.error(`windowsize 16     atftpd    [${fmt(win.atftpd)}]  pixie [${fmt(win.pixie)}]`);
  console.error(`50 concurrent f/s tftpd-hpa [${fmt(many['tftpd-hpa'])}]  pixie [${fmt(many.pixie)}]`);
  const best = (xs) => Math.max(...xs);
  const medians = (xs, ys) => ({ peerMedian: round(median(xs)), pixieMedian: round(median(ys)) });
  const bootKB = Math.round(statSync(join(dir, 'boot.bin')).size / 1000);
  const rows = [
    ratioRow({ scenario: 'TFTP 64 MiB lock-step blksize 1468 (atftp)', unit: 'MiB/s', peerName: 'tftpd-hpa', peer: best(lock['tftpd-hpa']), pixie: best(lock.pixie), op: '>=', target: 1.0, ...medians(lock['tftpd-hpa'], lock.pixie) }),
    ratioRow({ scenario: 'TFTP 64 MiB windowsize 16 blksize 1468 (atftp)', unit: 'MiB/s', peerName: 'atftpd', peer: best(win.atftpd), pixie: best(win.pixie), op: '>=', target: 1.0, ...medians(win.atftpd, win.pixie) }),
    ratioRow({ scenario: `TFTP 50 concurrent ${bootKB} KB boot-file reads`, unit: 'files/s', peerName: 'tftpd-hpa', peer: best(many['tftpd-hpa']), pixie: best(many.pixie), op: '>=', target: 1.3, ...medians(many['tftpd-hpa'], many.pixie) }),
  ];
  for (const r of rows) {
    const medianRatio = round(r.pixieMedian / r.peerMedian, 2);
    console.error(`${r.scenario.padEnd(48)} ${r.peerName.padEnd(9)} ${String(r.peer).padStart(7)} ${r.unit.padEnd(7)} pixie ${String(r.pixie).padStart(7)}  ${r.ratio}× (target ${r.target}) ${r.met ? 'ok' : 'MISSED'}; medians ${medianRatio}×`);
  }
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  const line = printResult('tftp', rows, { pixieBuild: built ? 'dist' : 'tsx', pinned: PIN });
  writeFileSync(join(ROOT, 'bench', 'results', 'tftp.json'), `${JSON.stringify(line, null, 2)}\n`);
} catch (e) {
  console.error(`bench/tftp: ${e.message}`);
  exitCode = 1;
} finally {
  for (const p of Object.values(servers)) await stop(p);
  rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);

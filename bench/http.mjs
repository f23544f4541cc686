#!/usr/bin/env node
// HTTP benchmark: pixie's HTTP service against nginx (Debian nginx-light) serving the same
// files on 127.0.0.1, in one run:
//   - 256 MiB and 1 GiB single downloads with curl (best of HTTP_BENCH_REPEAT, default 3),
//   - a 64 KiB file with HTTP_BENCH_CONNS connections (default 50) with wrk,
//   - the iPXE script with the same number of connections (nginx serves a static copy).
// nginx runs by hand from a temporary config (not as a service), pixie as `pixie boot`
// (bench/http-serve.ts). wrk runs alternate between the servers HTTP_BENCH_ROUNDS times (default
// 2) and each keeps its best, which evens out other load on a shared machine. Bounded: each wrk
// run lasts HTTP_BENCH_SECONDS (default 5), every command runs under a timeout, both servers
// are killed by PID at the end (about 90 s in all).
// Usage: node bench/http.mjs   — results also go to bench/results/http.json.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync, ftruncateSync } from 'node:fs';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printResult, ratioRow } from './lib/result.mjs';
import { writeNginxConfig } from './lib/common.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.env.HTTP_BENCH_SECONDS ?? 5);
const rounds = Number(process.env.HTTP_BENCH_ROUNDS ?? 2);
// nginx's worker count: `auto` (one per core, Debian's default) or a number, e.g. 1 for a per-core comparison.
const nginxWorkers = process.env.HTTP_BENCH_NGINX_WORKERS ?? 'auto';
const conns = Number(process.env.HTTP_BENCH_CONNS ?? 50);
const repeat = Number(process.env.HTTP_BENCH_REPEAT ?? 3);
const MiB = 1024 * 1024;
const sh = (cmd, args, timeoutMs = 120_000) => execFileSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

for (const [tool, pkg] of [['nginx', 'nginx-light'], ['wrk', 'wrk'], ['curl', 'curl']]) {
  try {
    sh('sh', ['-c', `command -v ${tool}`]);
  } catch {
    console.error(`bench/http: missing ${tool} (apt-get install -y ${pkg})`);
    process.exit(1);
  }
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function waitFor(url, proc, name) {
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) throw new Error(`${name} exited early (code ${proc.exitCode})`);
    try {
      sh('curl', ['-sf', '-o', '/dev/null', '--max-time', '1', url], 5000);
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`${name} did not come up at ${url}`);
}

/** Best curl download speed (bytes/s) of `repeat` runs, after one warm-up. */
function download(url) {
  const speeds = [];
  for (let i = 0; i <= repeat; i++) {
    const out = sh('curl', ['-sS', '-o', '/dev/null', '--max-time', '120', '-w', '%{http_code} %{speed_download}', url]);
    const [code, speed] = out.split(' ').map(Number);
    if (code !== 200) throw new Error(`${url} answered ${code}`);
    if (i > 0) speeds.push(speed);
  }
  return Math.max(...speeds);
}

/** wrk requests/s (and errors) for `url` with `conns` connections. */
function load(url) {
  const out = sh('wrk', ['-t2', `-c${conns}`, `-d${seconds}s`, '--timeout', '5s', '--latency', url], (seconds + 30) * 1000);
  const rps = Number(/Requests\/sec:\s*([\d.]+)/.exec(out)?.[1] ?? NaN);
  const non2xx = Number(/Non-2xx or 3xx responses:\s*(\d+)/.exec(out)?.[1] ?? 0);
  const errors = /Socket errors: (.*)/.exec(out)?.[1] ?? 'none';
  const p99 = /99%\s+(\S+)/.exec(out)?.[1] ?? '?';
  return { rps, non2xx, errors, p99 };
}

/**
 * Load both servers in alternation, `rounds` times each, and keep each one's best run:
 * on a shared machine, other work comes and goes, and alternating spreads it over both.
 */
function alternate(nginxUrl, pixieUrl) {
  let best = [undefined, undefined];
  for (let i = 0; i < rounds; i++) {
    const pair = [load(nginxUrl), load(pixieUrl)];
    best = best.map((b, j) => (!b || pair[j].rps > b.rps ? pair[j] : b));
  }
  return best;
}

const dir = mkdtempSync(join(tmpdir(), 'pixie-http-bench-'));
// nginx workers drop root privileges: they must be able to read the files.
chmodSync(dir, 0o755);
const procs = [];
try {
  // Files: 256 MiB of random data, a sparse 1 GiB file, 64 KiB of random data.
  const fd = openSync(join(dir, 'k256.bin'), 'w');
  const chunk = randomBytes(8 * MiB);
  for (let i = 0; i < 32; i++) writeSync(fd, chunk);
  closeSync(fd);
  const big = openSync(join(dir, 'g1.bin'), 'w');
  ftruncateSync(big, 1024 * MiB);
  closeSync(big);
  writeFileSync(join(dir, 's64k.bin'), randomBytes(64 * 1024));

  const [pixiePort, nginxPort] = [await freePort(), await freePort()];
  const pixie = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench/http-serve.ts'),
    JSON.stringify({ port: pixiePort, dir, static: { kernel: './k256.bin', initrd: ['./g1.bin'], cmdline: 'console=ttyS0 x={{ ID "./s64k.bin" }}' } })],
  { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  procs.push(pixie);

  const conf = writeNginxConfig({ dir, listen: `127.0.0.1:${nginxPort}`, root: dir, workers: nginxWorkers });
  const nginx = spawn('nginx', ['-p', dir, '-c', conf, '-e', join(dir, 'nginx-error.log')], { stdio: 'ignore' });
  procs.push(nginx);

  const pixieBase = `http://127.0.0.1:${pixiePort}`;
  const nginxBase = `http://127.0.0.1:${nginxPort}`;
  await waitFor(`${pixieBase}/_/health`, pixie, 'pixie');
  await waitFor(`${nginxBase}/s64k.bin`, nginx, 'nginx');

  const scriptUrl = `${pixieBase}/_/ipxe?mac=52:54:00:12:34:56&arch=x64`;
  const script = sh('curl', ['-sf', scriptUrl]);
  writeFileSync(join(dir, 'boot.ipxe'), script);
  const urls = script.match(/http:\/\/\S+/g) ?? [];
  const [p256, p1g] = urls;
  const p64 = urls.find((u) => !u.includes('type=') && u.includes('/_/file?'));
  if (!p256 || !p1g || !p64) throw new Error(`unexpected script:\n${script}`);

  const rows = [];
  const add = (scenario, unit, nginxValue, pixieValue, target) =>
    rows.push({ scenario, unit, nginx: Number(nginxValue.toFixed(1)), pixie: Number(pixieValue.toFixed(1)), ratio: Number((pixieValue / nginxValue).toFixed(2)), target });

  console.error('bench/http: 256 MiB downloads…');
  add('256 MiB download (curl)', 'MiB/s', download(`${nginxBase}/k256.bin`) / MiB, download(p256) / MiB, 0.8);
  console.error('bench/http: 1 GiB downloads…');
  add('1 GiB download (curl, sparse file)', 'MiB/s', download(`${nginxBase}/g1.bin`) / MiB, download(p1g) / MiB, 0.8);
  console.error(`bench/http: 64 KiB file, ${conns} connections…`);
  const [n64, x64] = alternate(`${nginxBase}/s64k.bin`, p64);
  add(`64 KiB file, ${conns} connections (wrk)`, 'req/s', n64.rps, x64.rps, 0.8);
  console.error(`bench/http: iPXE script, ${conns} connections…`);
  const [nScript, xScript] = alternate(`${nginxBase}/boot.ipxe`, scriptUrl);
  add(`iPXE script, ${conns} connections (wrk; nginx: static copy)`, 'req/s', nScript.rps, xScript.rps, 0.6);

  const failures = { nginx64k: n64, pixie64k: x64, nginxScript: nScript, pixieScript: xScript };
  console.table(rows);
  for (const r of rows) console.log(`${r.scenario}: pixie/nginx ×${r.ratio} (target ≥ ${r.target})${r.ratio >= r.target ? '' : '  BELOW TARGET'}`);
  const wrkFailed = (w) => w.non2xx > 0 || w.errors !== 'none';
  const resultRows = rows.map((r) => ratioRow({ scenario: `HTTP ${r.scenario}`, unit: r.unit, peerName: 'nginx', peer: r.nginx, pixie: r.pixie, op: '>=', target: r.target }));
  for (const [i, [peerRun, pixieRun]] of [[n64, x64], [nScript, xScript]].entries()) {
    const row = resultRows[2 + i];
    if (wrkFailed(pixieRun)) Object.assign(row, { met: false, note: `pixie: ${pixieRun.non2xx} non-2xx, socket errors ${pixieRun.errors}` });
    if (wrkFailed(peerRun)) row.note = `${row.note ? `${row.note}; ` : ''}nginx: ${peerRun.non2xx} non-2xx, socket errors ${peerRun.errors}`;
  }
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(
    join(root, 'bench/results/http.json'),
    JSON.stringify({ scenario: 'HTTP: pixie vs nginx on 127.0.0.1', seconds, rounds, conns, repeat, nginxWorkers, rows, wrk: failures, loadavg: sh('cat', ['/proc/loadavg']).trim() }, null, 2) + '\n',
  );
  printResult('http', resultRows, { seconds, rounds, conns, repeat, nginxWorkers, wrk: failures });
} finally {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGTERM');
  await sleep(500);
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}

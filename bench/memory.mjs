#!/usr/bin/env node
// Memory: pixie's resident set size (VmRSS of the `pixie boot` process, dist/ build)
//   - idle: median of samples over a second, a few seconds after "pixie is ready";
//   - streaming: the peak while curl downloads a 1 GiB kernel (a sparse file) from it,
//     sampled every 50 ms; the growth is that peak − the RSS just before, after a warm-up
//     download of the first 16 MiB (so the one-time cost of the first file request,
//     compiled code and buffer pools, is not counted as growth).
// Targets (shared/PERFORMANCE.md): idle ≤ 80 MiB; streaming 1 GiB must not grow RSS
// noticeably, taken here as ≤ 32 MiB. No peer: the row's peer columns stay empty.
// pixie runs inside a namespace made here (loopback only), removed afterwards.
// Usage (root): node bench/memory.mjs [--gib 1] [--streams 1]
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import { PIXIE_CLI, addNamespace, deleteNamespace, median, requireBuild, requireSetup, rssKiB, sh, sleep, start, stop, waitForText } from './lib/common.mjs';
import { customRow, printResult } from './lib/result.mjs';

const { values } = parseArgs({ options: { gib: { type: 'string', default: '1' }, streams: { type: 'string', default: '1' } } });
const gib = Number(values.gib);
const streams = Number(values.streams);
requireSetup('memory', { ip: 'iproute2', curl: 'curl' });
requireBuild('memory');

const MiB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'pxt-bench-mem-'));
const ns = addNamespace('m');
let pixie;
try {
  const kernel = join(dir, 'big.bin');
  const fd = openSync(kernel, 'w');
  ftruncateSync(fd, gib * 1024 * MiB);
  closeSync(fd);
  pixie = start(process.execPath, [PIXIE_CLI, 'boot', kernel, '--port', '8080', '--listen-addr', '127.0.0.1', '--log-format', 'json', '--cache-dir', join(dir, 'cache')], { ns, logFile: join(dir, 'pixie.log') });
  await waitForText(pixie, /pixie is ready/, 30_000, 'pixie');
  await sleep(3000);
  const idleSamples = [];
  for (let i = 0; i < 10; i++) {
    idleSamples.push(rssKiB(pixie.pid));
    await sleep(100);
  }
  const idle = median(idleSamples) / 1024;

  const script = sh('ip', ['netns', 'exec', ns, 'curl', '-sf', 'http://127.0.0.1:8080/_/ipxe?mac=52:54:00:00:00:01&arch=x64']);
  const url = /^kernel\s.*?(http:\/\/\S+)/m.exec(script)?.[1];
  if (!url) throw new Error(`no kernel URL in the script:\n${script}`);
  sh('ip', ['netns', 'exec', ns, 'curl', '-sf', '-o', '/dev/null', '--range', `0-${16 * MiB - 1}`, url]);
  await sleep(1000);
  const warm = rssKiB(pixie.pid) / 1024;
  let peak = 0;
  const t0 = Date.now();
  const curls = Array.from({ length: streams }, () => spawn('ip', ['netns', 'exec', ns, 'curl', '-sS', '-o', '/dev/null', '--max-time', '120', '-w', '%{http_code} %{size_download}', url], { stdio: ['ignore', 'pipe', 'inherit'] }));
  const outs = curls.map((c) => {
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    return new Promise((resolve) => c.on('exit', () => resolve(out)));
  });
  let running = true;
  void Promise.all(outs).then(() => (running = false));
  while (running) {
    peak = Math.max(peak, rssKiB(pixie.pid) / 1024);
    await sleep(50);
  }
  const seconds = (Date.now() - t0) / 1000;
  for (const out of await Promise.all(outs)) {
    const [code, size] = out.split(' ').map(Number);
    if (code !== 200 || size !== gib * 1024 * MiB) throw new Error(`download failed: HTTP ${code}, ${size} bytes`);
  }
  await sleep(500);
  const after = rssKiB(pixie.pid) / 1024;
  const growth = peak - warm;
  console.error(`bench/memory: idle ${idle.toFixed(1)} MiB, ${warm.toFixed(1)} MiB after a 16 MiB warm-up, peak ${peak.toFixed(1)} MiB while streaming ${streams}× ${gib} GiB in ${seconds.toFixed(1)} s, ${after.toFixed(1)} MiB after`);
  printResult('memory', [
    customRow({ scenario: 'pixie boot idle RSS', unit: 'MiB', peerName: '—', peer: null, pixie: idle, target: '≤ 80 MiB', met: idle <= 80 }),
    customRow({ scenario: `RSS growth streaming ${streams}× ${gib} GiB over HTTP`, unit: 'MiB', peerName: '—', peer: null, pixie: growth, target: '≤ 32 MiB', met: growth <= 32,
      note: `idle ${idle.toFixed(1)}, warmed up ${warm.toFixed(1)}, peak ${peak.toFixed(1)}, after ${after.toFixed(1)} MiB; ${((streams * gib * 1024) / seconds).toFixed(0)} MiB/s` }),
  ], { idleMiB: idle, warmMiB: warm, peakMiB: peak, afterMiB: after, seconds, gib, streams });
} finally {
  await stop(pixie);
  deleteNamespace(ns);
  rmSync(dir, { recursive: true, force: true });
}

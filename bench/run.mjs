#!/usr/bin/env node
// `npm run bench`: every benchmark scenario, pixie side by side with its peer in the same
// run, one after the other (2 cores: never two at once), then one table of ratios against
// shared/PERFORMANCE.md's targets, also written to bench/results/<timestamp>.json.
//
//   sudo npm run bench                         # everything (6 min on a quiet machine, more under load)
//   sudo npm run bench -- --quick              # shorter runs, fewer repeats (~2.5 min)
//   sudo npm run bench -- --only tftp,http     # some scenarios
//   sudo npm run bench -- --runs 5             # repeats per scenario (VM boots, storm rounds, …)
//
// Each scenario is a script bench/<name>.mjs that prints a result line last
// (bench/lib/result.mjs). Missing Debian packages (.ci/apt-bench.txt) are installed first,
// and pixie is built (`npm run build`) so that the scenarios run the current code.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureDeps } from '../scripts/ensure-deps.mjs';
import { ROOT } from './lib/common.mjs';
import { findResult } from './lib/result.mjs';

const SCENARIOS = {
  tftp: { script: 'tftp.mjs', minutes: 5, what: 'TFTP: tftpd-hpa / atftpd vs pixie' },
  http: { script: 'http.mjs', minutes: 5, what: 'HTTP: nginx vs pixie' },
  dhcp: { script: 'dhcp.mjs', minutes: 3, what: 'proxyDHCP: dnsmasq vs pixie (perfdhcp)' },
  storm: { script: 'boot-storm.mjs', minutes: 6, what: 'boot storm: dnsmasq + tftpd-hpa + nginx vs pixie' },
  memory: { script: 'memory.mjs', minutes: 2, what: 'pixie RSS, idle and streaming' },
  // VM boots wait for the e2e VM lock when another process holds it (up to 15 min).
  vm: { script: 'vm-boot.mjs', minutes: 35, what: 'VM boot: dnsmasq reference vs pixie (QEMU)' },
};

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const usage = `usage: npm run bench -- [--only ${Object.keys(SCENARIOS).join(',')}] [--quick] [--runs N] [--no-build]`;
if (values.help) {
  console.log(`${usage}\n${Object.entries(SCENARIOS).map(([k, s]) => `  ${k.padEnd(7)} ${s.what}`).join('\n')}`);
  process.exit(0);
}
const only = values.only ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : Object.keys(SCENARIOS);
const unknown = only.filter((s) => !(s in SCENARIOS));
const runs = values.runs === undefined ? undefined : Number(values.runs);
if (unknown.length || (runs !== undefined && !(Number.isInteger(runs) && runs >= 1 && runs <= 10))) {
  console.error(unknown.length ? `bench: unknown scenario ${unknown.join(', ')}\n${usage}` : `bench: --runs takes 1..10\n${usage}`);
  process.exit(2);
}
if (process.getuid?.() !== 0) {
  console.error('bench: needs root — the benchmarks make network namespaces and start servers and VMs inside them.\nRun: sudo npm run bench');
  process.exit(2);
}

const say = (s) => process.stderr.write(`${s}\n`);
const aptList = readFileSync(join(ROOT, '.ci', 'apt-bench.txt'), 'utf8').split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
if (!ensureDeps(aptList, say)) process.exit(1);

if (!values['no-build']) {
  say('==> npm run build');
  try {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], timeout: 300_000 });
  } catch {
    say('bench: `npm run build` failed; fix the build (or pass --no-build to bench the dist/ there is)');
    process.exit(1);
  }
}

/** Arguments and environment per scenario, from --quick and --runs. */
function plan(name) {
  const q = values.quick;
  const n = (dflt, quick) => String(runs ?? (q ? quick : dflt));
  switch (name) {
    case 'tftp':
      return { args: [], env: { TFTP_BENCH_RUNS: n(3, 1), TFTP_BENCH_WINDOW_RUNS: n(5, 2), ...(q ? { TFTP_BENCH_FILES: '300' } : {}) } };
    case 'http':
      return { args: [], env: { HTTP_BENCH_ROUNDS: n(2, 1), HTTP_BENCH_REPEAT: n(3, 1), ...(q ? { HTTP_BENCH_SECONDS: '3' } : {}) } };
    case 'dhcp':
      return { args: [], env: q ? { DHCP_BENCH_SECONDS: '4' } : {} };
    case 'storm':
      return { args: ['--rounds', n(2, 1)], env: {} };
    case 'memory':
      return { args: [], env: {} };
    case 'vm':
      return { args: ['--runs', n(3, 1)], env: {} };
  }
  return { args: [], env: {} };
}

/** Runs one scenario script; resolves with its result line (or a failure description). */
function runScenario(name) {
  const s = SCENARIOS[name];
  const { args, env } = plan(name);
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [join(ROOT, 'bench', s.script), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let errTail = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => {
      const text = d.toString('utf8');
      errTail = (errTail + text).slice(-4000);
      for (const line of text.split('\n')) if (line.trim()) say(`  [${name}] ${line}`);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM'); // the scripts remove their namespaces on SIGTERM
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    }, s.minutes * 60_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const seconds = Math.round((Date.now() - started) / 1000);
      const result = findResult(out);
      if (result && code === 0) resolve({ name, seconds, ok: true, result });
      else {
        const why = timedOut ? `timed out after ${s.minutes} min` : `exit ${code ?? signal}${result ? '' : ', no result line'}`;
        resolve({ name, seconds, ok: false, error: why, tail: `${errTail}\n${out.slice(-2000)}`.trim(), result });
      }
    });
  });
}

function git(args) {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

const load0 = loadavg()[0];
const t0 = Date.now();
const done = [];
for (const name of only) {
  say(`==> ${name}: ${SCENARIOS[name].what}`);
  const r = await runScenario(name);
  say(r.ok ? `    ${name} done in ${r.seconds} s` : `    ${name} FAILED (${r.error}) after ${r.seconds} s`);
  if (!r.ok) say(r.tail.split('\n').slice(-15).map((l) => `    | ${l}`).join('\n'));
  done.push(r);
}

// The table: one line per row of every result, plus one per failed scenario.
const fmt = (v, unit) => (v === null || v === undefined ? '—' : `${v} ${unit}`);
const table = [];
for (const r of done) {
  if (r.ok) {
    for (const row of r.result.rows) {
      table.push({
        scenario: row.scenario, peer: row.peerName ?? '—', peerFigure: fmt(row.peer, row.unit), pixieFigure: fmt(row.pixie, row.unit),
        ratio: row.ratio === null ? '—' : `${row.ratio}×`, target: row.target, met: row.met === null ? '?' : row.met ? 'met' : 'NOT MET', note: row.note ?? '',
      });
    }
  } else {
    table.push({ scenario: `${r.name}: ${SCENARIOS[r.name].what}`, peer: '—', peerFigure: '—', pixieFigure: '—', ratio: '—', target: '—', met: 'ERROR', note: r.error });
  }
}
const cols = [['scenario', 'scenario'], ['peer', 'peer'], ['peerFigure', 'peer figure'], ['pixieFigure', 'pixie figure'], ['ratio', 'pixie/peer'], ['target', 'target'], ['met', '']];
const widths = cols.map(([k, h]) => Math.max(h.length, ...table.map((t) => String(t[k]).length)));
const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ').trimEnd();
const minutes = ((Date.now() - t0) / 60_000).toFixed(1);
const load1 = loadavg()[0];
console.log('');
console.log(line(cols.map(([, h]) => h)));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const t of table) console.log(line(cols.map(([k]) => t[k])));
const notes = table.filter((t) => t.note);
if (notes.length) {
  console.log('');
  for (const t of notes) console.log(`- ${t.scenario}: ${t.note}`);
}
const met = table.filter((t) => t.met === 'met').length;
console.log(`\n${met}/${table.length} targets met; ${minutes} min; load average ${load0.toFixed(1)} at the start, ${load1.toFixed(1)} at the end (${cpus().length} cores)`);

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const file = join(ROOT, 'bench', 'results', `${stamp}.json`);
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(file, `${JSON.stringify({
  at: new Date(t0).toISOString(), minutes: Number(minutes), flags: { only, quick: values.quick, runs: runs ?? null },
  machine: { cores: cpus().length, cpu: cpus()[0]?.model, load1AtStart: load0, load1AtEnd: load1, node: process.version },
  git: { commit: git(['rev-parse', '--short', 'HEAD']), changedFiles: git(['status', '--porcelain']).split('\n').filter(Boolean).length },
  table, scenarios: done,
}, null, 2)}\n`);
console.log(`results: ${file}`);
process.exitCode = done.every((r) => r.ok) ? 0 : 1;

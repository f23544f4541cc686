// Helpers the namespace benches share: commands with timeouts, the namespaces they make
// (prefix pxt-bench-<pid>, removed on exit and on SIGINT/SIGTERM too), processes started
// by PID with their output in a log file, and the path of pixie's built CLI.
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** pixie's CLI as `npm run build` leaves it. */
export const PIXIE_CLI = join(ROOT, 'dist', 'cli', 'main.js');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs a command to completion (stdout as text); throws with its stderr on failure. */
export function sh(cmd, args, timeoutMs = 60_000) {
  return execFileSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

/** Exits with a clear message unless root and every tool (tool → Debian package) is there. */
export function requireSetup(name, tools) {
  if (process.getuid?.() !== 0) {
    console.error(`bench/${name}: needs root (network namespaces); run it with sudo`);
    process.exit(2);
  }
  const missing = Object.entries(tools).filter(([tool]) => {
    try {
      sh('sh', ['-c', `command -v ${tool}`]);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length) {
    console.error(`bench/${name}: missing ${missing.map(([t]) => t).join(', ')} (apt-get install -y ${[...new Set(missing.map(([, p]) => p))].join(' ')})`);
    process.exit(2);
  }
}

/** Exits with a clear message when dist/ has not been built. */
export function requireBuild(name) {
  if (!existsSync(PIXIE_CLI)) {
    console.error(`bench/${name}: ${PIXIE_CLI} is missing; run \`npm run build\` first (npm run bench does)`);
    process.exit(2);
  }
}

const namespaces = new Set();
const procs = new Set();
let seq = 0;

function cleanupSync() {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  for (const ns of namespaces) {
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore', timeout: 5000 });
    } catch {
      // already gone
    }
  }
  namespaces.clear();
}
process.on('exit', cleanupSync);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    cleanupSync();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  });
}

/** A new namespace `pxt-bench-<pid>-<n><suffix>` with loopback up. */
export function addNamespace(suffix = '') {
  seq += 1;
  const ns = `pxt-bench-${process.pid}-${seq}${suffix}`;
  sh('ip', ['netns', 'add', ns]);
  namespaces.add(ns);
  sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  return ns;
}

/** Deletes a namespace made by addNamespace. */
export function deleteNamespace(ns) {
  namespaces.delete(ns);
  try {
    sh('ip', ['netns', 'del', ns]);
  } catch {
    // already gone
  }
}

/**
 * Starts `cmd args` (inside `ns` when given, through `ip netns exec`, which execs, so the
 * PID is the program's). Output goes to `logFile`; `text()` returns what was printed.
 */
export function start(cmd, args, { ns, logFile, cwd = ROOT, stdin = 'ignore' } = {}) {
  const [file, argv] = ns ? ['ip', ['netns', 'exec', ns, cmd, ...args]] : [cmd, args];
  const child = spawn(file, argv, { cwd, stdio: [stdin, 'pipe', 'pipe'] });
  procs.add(child);
  const log = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
  let out = '';
  const onData = (c) => {
    log?.write(c);
    if (out.length < 1 << 20) out += c.toString('utf8');
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  child.on('exit', () => {
    procs.delete(child);
    log?.end();
  });
  child.text = () => out;
  return child;
}

/** Waits until `child` printed something matching `re`; throws if it exits or `ms` pass. */
export async function waitForText(child, re, ms, name) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (re.test(child.text())) return;
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited early (${child.exitCode ?? child.signalCode}): ${child.text().slice(-800)}`);
    await sleep(50);
  }
  throw new Error(`${name}: no ${re} after ${ms} ms: ${child.text().slice(-800)}`);
}

/** SIGTERM, then SIGKILL after `graceMs`, to one process we started. */
export async function stop(child, graceMs = 2000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Resident set size of a PID in KiB (VmRSS), or NaN once it is gone. */
export function rssKiB(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

/** Median of numbers (NaN for none). */
export function median(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Write an nginx config serving `root` on `listen` (static files, sendfile,
 * no access log), with its state under `dir`; returns the config's path.
 */
export function writeNginxConfig({ dir, listen, root, workers = 'auto' }) {
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, `daemon off;
worker_processes ${workers};
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path ${dir}/nginx-tmp;
  server {
    listen ${listen};
    root ${root};
  }
}
`);
  return conf;
}

/**
 * The lab harness itself, without VMs: namespaces and processes are created and
 * removed, extra hosts can reach the bridge, waits fail with useful messages, and
 * SIGTERM/SIGINT or a dead owner leave nothing behind.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lab, cleanConsole, run, sleep } from './harness.js';

const quiet = { log: (): void => undefined };

async function namespaces(): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list']);
  return stdout.split('\n').map((l) => l.split(' ')[0] ?? '').filter(Boolean);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A killed child may linger as a zombie until its new parent reaps it.
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Whether `pid` is gone within `ms` (SIGKILL is not instantaneous). */
async function goneWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

test('a lab creates its namespace and bridges, and close() removes them and its processes', async (t) => {
  const lab = await Lab.create({ bridges: 2, label: 'harness-basic', ...quiet });
  t.true((await namespaces()).includes(lab.ns));
  const addrs = (await lab.exec('ip', ['-4', '-o', 'addr', 'show'])).stdout;
  t.regex(addrs, /br0\s+inet 10\.77\.0\.1\/24/);
  t.regex(addrs, /br1\s+inet 10\.77\.1\.1\/24/);
  const sleeper = lab.spawn('sleep', ['300']);
  t.true(sleeper.running);
  await lab.close();
  t.false((await namespaces()).includes(lab.ns));
  t.false(sleeper.running);
  t.true(await goneWithin(sleeper.pid, 3000));
  await lab.close(); // idempotent
});

test('an extra host namespace reaches the server address over the bridge', async (t) => {
  const lab = await Lab.create({ label: 'harness-host', ...quiet });
  try {
    const host = await lab.addHost();
    t.is(host.ip, '10.77.0.2');
    const ping = await lab.exec('busybox', ['ping', '-c', '1', '-W', '3', lab.bridge().serverIp], { ns: host.ns });
    t.regex(ping.stdout, /1 packets received/);
  } finally {
    await lab.close();
  }
  t.false((await namespaces()).some((n) => n.startsWith(lab.ns)));
});

test('waitForOutput resolves on a match and rejects with the output when the process ends first', async (t) => {
  const lab = await Lab.create({ label: 'harness-wait', ...quiet });
  try {
    const p = lab.spawn('sh', ['-c', 'echo hello-$((20+22)); sleep 0.2; echo bye']);
    const m = await p.waitForOutput(/hello-(\d+)/, 5000);
    t.is(m[1], '42');
    const err = await t.throwsAsync(p.waitForOutput(/never/, 5000));
    t.regex(err.message, /exited \(code 0\) before \/never\/ appeared/);
    t.regex(err.message, /bye/);
    const q = lab.spawn('sleep', ['5'], { name: 'sleeper' });
    const timeout = await t.throwsAsync(q.waitForOutput(/x/, 200));
    t.regex(timeout.message, /did not appear in sleeper within 200 ms/);
  } finally {
    await lab.close();
  }
});

test('cleanConsole strips ANSI escapes and carriage returns', (t) => {
  t.is(cleanConsole('\x1b[2J\x1b[01;01HiPXE\r\n\x1b[0m\x1b[?25lok\x1bc'), 'iPXE\nok');
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} to a process with an open lab kills its PIDs and deletes its namespace`, async (t) => {
    const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'lab-child.ts');
    const child = spawn(process.execPath, ['--import=tsx', fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    const { ns, pid } = JSON.parse(line.toString()) as { ns: string; pid: number };
    t.true((await namespaces()).includes(ns));
    t.true(alive(pid));
    child.kill(signal);
    const [code] = (await once(child, 'exit')) as [number | null];
    t.is(code, signal === 'SIGINT' ? 130 : 143);
    t.false((await namespaces()).includes(ns));
    t.true(await goneWithin(pid, 3000));
  });
}

test('namespaces left by a dead harness process are removed by the next Lab.create', async (t) => {
  // A PID that cannot exist (above the kernel's pid_max ceiling of 2^22).
  const stale = `pxe2e-${2 ** 22 + 7}-1`;
  await run('ip', ['netns', 'add', stale]);
  const lab = await Lab.create({ label: 'harness-stale', ...quiet });
  await lab.close();
  t.false((await namespaces()).includes(stale));
});

/**
 * The machine-wide VM lock (lab/vm-lock.ts), on a private lock directory so
 * the real one (held by VM tests running in parallel) is never touched.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const dir = mkdtempSync(path.join(tmpdir(), 'pixie-vm-lock-test-'));
const lockDir = path.join(dir, 'vm.lock');
process.env.PIXIE_E2E_VM_LOCK = lockDir;
const { acquireVmSlot } = await import('./lab/vm-lock.js');
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

test.serial('two VMs of one process asking while another process holds the lock both start once it is free', async (t) => {
  // "Another process": a live PID that is not ours.
  const other = spawn('sleep', ['30'], { stdio: 'ignore' });
  t.teardown(() => other.kill('SIGKILL'));
  mkdirSync(lockDir);
  writeFileSync(path.join(lockDir, 'pid'), String(other.pid));
  const logs: string[] = [];
  let started = 0;
  const a = acquireVmSlot(10_000, (l) => logs.push(l)).then((release) => (started++, release));
  const b = acquireVmSlot(10_000, (l) => logs.push(l)).then((release) => (started++, release));
  await new Promise((r) => setTimeout(r, 600));
  t.is(started, 0, 'both wait while the other process holds the lock');
  rmSync(lockDir, { recursive: true });
  // Both get the slot together; before the fix the second waited for the first to release.
  const [ra, rb] = await Promise.all([a, b]);
  t.is(started, 2);
  t.is(readFileSync(path.join(lockDir, 'pid'), 'utf8'), String(process.pid));
  t.is(logs.filter((l) => /waiting for another test process/.test(l)).length, 1);
  ra();
  t.true(existsSync(lockDir), 'still held while one VM runs');
  rb();
  t.false(existsSync(lockDir), 'released with the last VM');
});

test.serial('a lock left by a dead process is taken over', async (t) => {
  mkdirSync(lockDir);
  writeFileSync(path.join(lockDir, 'pid'), '999999999');
  const release = await acquireVmSlot(5_000, () => undefined);
  t.is(readFileSync(path.join(lockDir, 'pid'), 'utf8'), String(process.pid));
  release();
  t.false(existsSync(lockDir));
});

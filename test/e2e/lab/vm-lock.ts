/**
 * A machine-wide lock so that VMs from different test files run one after the
 * other (2 cores; TCG guests each want a full core). Within one process the lock
 * is shared: a test may run two VMs at once, and VMs of one process that ask
 * while another process holds the lock all wait for the same acquisition (so a
 * second VM never waits for the first one's exit). A lock directory whose owner
 * PID is gone is taken over. `PIXIE_E2E_VM_LOCK` moves the lock (tests of the lock).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sleep } from './exec.js';

const LOCK_DIR = process.env.PIXIE_E2E_VM_LOCK ?? path.join(tmpdir(), 'pixie-e2e-vm.lock');
let holders = 0;
/** The acquisition in progress, shared by every caller of this process. */
let acquiring: Promise<void> | undefined;

function ownerAlive(): boolean {
  try {
    const pid = Number(readFileSync(path.join(LOCK_DIR, 'pid'), 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function takeLock(timeoutMs: number, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      writeFileSync(path.join(LOCK_DIR, 'pid'), String(process.pid));
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (!ownerAlive()) {
        // The pid file may not be written yet by a fresh owner; give it a moment.
        await sleep(200);
        if (!ownerAlive()) rmSync(LOCK_DIR, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`e2e: another test process held the VM slot for ${timeoutMs} ms`);
      if (!announced) log('waiting for another test process to finish its VM');
      announced = true;
      await sleep(250);
    }
  }
}

/** Waits (up to `timeoutMs`) for the VM slot; returns a release function. */
export async function acquireVmSlot(timeoutMs: number, log: (line: string) => void): Promise<() => void> {
  if (holders === 0) {
    acquiring ??= takeLock(timeoutMs, log).finally(() => {
      acquiring = undefined;
    });
    await acquiring;
  }
  holders += 1;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    holders -= 1;
    if (holders === 0) releaseVmSlotSync();
  };
}

/** Drops the lock if this process holds it (exit handlers). */
export function releaseVmSlotSync(): void {
  try {
    if (Number(readFileSync(path.join(LOCK_DIR, 'pid'), 'utf8')) === process.pid) rmSync(LOCK_DIR, { recursive: true, force: true });
  } catch {
    // not ours / gone
  }
}

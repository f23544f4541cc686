/**
 * A machine-wide lock so that VMs from different test files run one after the
 * other (2 cores; TCG guests each want a full core). Within one process the lock
 * is shared: a test may run two VMs at once. A lock directory whose owner PID is
 * gone is taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sleep } from './exec.js';

const LOCK_DIR = path.join(tmpdir(), 'pixie-e2e-vm.lock');
let holders = 0;

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

/** Waits (up to `timeoutMs`) for the VM slot; returns a release function. */
export async function acquireVmSlot(timeoutMs: number, log: (line: string) => void): Promise<() => void> {
  if (holders === 0) {
    const deadline = Date.now() + timeoutMs;
    let announced = false;
    for (;;) {
      try {
        mkdirSync(LOCK_DIR);
        writeFileSync(path.join(LOCK_DIR, 'pid'), String(process.pid));
        break;
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

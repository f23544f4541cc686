/**
 * A QEMU guest of the lab and its serial console (a file QEMU writes to).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { Accel, Firmware } from './qemu.js';
import { LabProcess, describeExit, tail, waitForText } from './process.js';

const POLL_MS = 100;

/** Removes ANSI escape sequences and carriage returns (firmware consoles are full of them). */
export function cleanConsole(raw: string): string {
  return raw
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '')
    .replace(/\x1b[()][0-9A-Za-z]/g, '')
    .replace(/\x1b[=>c78]/g, '')
    .replace(/\r/g, '');
}

export interface VmInfo {
  name: string;
  firmware: Firmware;
  accel: Accel;
  mac: string;
  tap: string;
  bridge: number;
  serialLog: string;
}

/** Result of a successful wait on the console. */
export interface ConsoleMatch {
  match: RegExpExecArray;
  /** Milliseconds from QEMU start (power-on) to the match. */
  elapsedMs: number;
}

/** A running VM. Stop it with `stop()` or let the guest power off (QEMU exits). */
export class Vm implements VmInfo {
  readonly name: string;
  readonly firmware: Firmware;
  readonly accel: Accel;
  readonly mac: string;
  readonly tap: string;
  readonly bridge: number;
  readonly serialLog: string;
  /** `performance.now()` when QEMU was started. */
  readonly startedAt: number;
  readonly process: LabProcess;
  private raw = '';
  private text = '';
  private offset = 0;

  constructor(info: VmInfo, proc: LabProcess, startedAt: number) {
    this.name = info.name;
    this.firmware = info.firmware;
    this.accel = info.accel;
    this.mac = info.mac;
    this.tap = info.tap;
    this.bridge = info.bridge;
    this.serialLog = info.serialLog;
    this.process = proc;
    this.startedAt = startedAt;
  }

  /** The console so far, with escape sequences and `\r` removed. */
  console(): string {
    this.readNew();
    return this.text;
  }

  /**
   * Waits until the console matches `re`; rejects on timeout or when QEMU exits
   * first, with the console's last lines and QEMU's own output in the message.
   */
  async waitFor(re: RegExp, timeoutMs: number): Promise<ConsoleMatch> {
    try {
      const match = await waitForText(() => this.console(), re, timeoutMs, {
        subscribe: (fn) => {
          const timer = setInterval(fn, POLL_MS);
          return () => clearInterval(timer);
        },
        ended: () => (this.process.exitInfo ? `VM ${this.name} exited (${describeExit(this.process.exitInfo)})` : undefined),
        what: `the console of VM ${this.name} (${this.firmware}, ${this.accel})`,
      });
      return { match, elapsedMs: Math.round(performance.now() - this.startedAt) };
    } catch (err) {
      const qemuOut = this.process.output().trim();
      const extra = qemuOut ? `\nQEMU said:\n${tail(qemuOut, 10)}` : '';
      throw new Error(`${(err as Error).message}${extra}\n(serial log: ${this.serialLog})`);
    }
  }

  /** Waits for QEMU to exit (after the guest's poweroff); kills it after `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<void> {
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
    if ((await Promise.race([this.process.exited, timer])) === 'timeout') {
      await this.process.stop(1000);
      throw new Error(`e2e: VM ${this.name} did not power off within ${timeoutMs} ms`);
    }
  }

  /** Stops QEMU (SIGTERM, then SIGKILL). */
  async stop(): Promise<void> {
    await this.process.stop(2000);
  }

  private readNew(): void {
    let size: number;
    try {
      size = statSync(this.serialLog).size;
    } catch {
      return; // QEMU has not created it yet
    }
    if (size <= this.offset) return;
    const buf = Buffer.alloc(size - this.offset);
    const fd = openSync(this.serialLog, 'r');
    try {
      const n = readSync(fd, buf, 0, buf.length, this.offset);
      this.offset += n;
      // Clean the whole log again: an escape sequence may straddle two reads.
      this.raw += buf.subarray(0, n).toString('latin1');
      this.text = cleanConsole(this.raw);
    } finally {
      closeSync(fd);
    }
  }
}

/**
 * A child process started by the lab, usually inside a network namespace.
 * Only its own PID is ever signalled (`ip netns exec` execs the program, so the
 * PID we get is the program's). Output goes to a log file and a bounded buffer
 * that tests can wait on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { nsArgv, sleep } from './exec.js';

const MAX_BUFFER = 4 * 1024 * 1024;

export interface SpawnOptions {
  /** Network namespace to run in; the lab's main one when started through `Lab.spawn`. */
  ns?: string;
  /** Name used in logs and for the log file. */
  name?: string;
  /** File that receives stdout and stderr. */
  logFile?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running (or finished) process with captured output. */
export class LabProcess {
  readonly name: string;
  readonly pid: number;
  /** Resolves when the process has exited. */
  readonly exited: Promise<ExitInfo>;
  /** Set once the process has exited. */
  exitInfo: ExitInfo | undefined;
  private readonly child: ChildProcess;
  private buffer = '';
  private readonly log: WriteStream | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly chunkListeners = new Set<(text: string) => void>();

  constructor(cmd: string, args: readonly string[], opts: SpawnOptions = {}) {
    const [file, argv] = nsArgv(opts.ns, cmd, args);
    this.name = opts.name ?? cmd.split('/').pop() ?? cmd;
    this.log = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
    this.child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env, cwd: opts.cwd });
    if (this.child.pid === undefined) {
      throw new Error(`e2e: could not start ${[file, ...argv].join(' ')}`);
    }
    this.pid = this.child.pid;
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      this.log?.write(chunk);
      this.buffer += text;
      if (this.buffer.length > MAX_BUFFER) this.buffer = this.buffer.slice(-MAX_BUFFER / 2);
      for (const fn of this.chunkListeners) fn(text);
      for (const fn of this.listeners) fn();
    };
    this.child.stdout?.on('data', onData);
    this.child.stderr?.on('data', onData);
    this.exited = new Promise((resolve) => {
      this.child.on('error', (err) => {
        this.buffer += `\n[spawn error: ${err.message}]\n`;
      });
      this.child.on('close', (code, signal) => {
        this.exitInfo = { code, signal };
        this.log?.end();
        for (const fn of this.listeners) fn();
        resolve(this.exitInfo);
      });
    });
  }

  /** Everything the process printed so far (bounded). */
  output(): string {
    return this.buffer;
  }

  /** Calls `fn` with each new piece of output (stdout and stderr); returns an unsubscribe function. */
  onOutput(fn: (text: string) => void): () => void {
    this.chunkListeners.add(fn);
    return () => this.chunkListeners.delete(fn);
  }

  /** Whether the process is still running. */
  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /**
   * Waits until the output matches `re`; rejects on timeout or when the process
   * exits without a match (the error carries the last lines of output).
   */
  waitForOutput(re: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    return waitForText(() => this.buffer, re, timeoutMs, {
      subscribe: (fn) => {
        this.listeners.add(fn);
        return () => this.listeners.delete(fn);
      },
      ended: () => (this.exitInfo ? `${this.name} exited (${describeExit(this.exitInfo)})` : undefined),
      what: this.name,
    });
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  async stop(graceMs = 3000): Promise<ExitInfo> {
    if (this.exitInfo) return this.exitInfo;
    this.signal('SIGTERM');
    const timer = sleep(graceMs).then(() => 'timeout' as const);
    if ((await Promise.race([this.exited, timer])) === 'timeout') this.signal('SIGKILL');
    return this.exited;
  }

  /** Sends a signal to this process's own PID only (no-op once exited). */
  signal(sig: NodeJS.Signals): void {
    if (this.exitInfo) return;
    try {
      process.kill(this.pid, sig);
    } catch {
      // already gone
    }
  }
}

/** How a process ended, for messages. */
export function describeExit(info: ExitInfo): string {
  return info.signal ? `signal ${info.signal}` : `code ${String(info.code)}`;
}

interface WaitHooks {
  /** Calls `fn` whenever new text may be there; returns an unsubscribe function. */
  subscribe(fn: () => void): () => void;
  /** A reason when no more text can come (process gone), else undefined. */
  ended(): string | undefined;
  what: string;
}

/** Shared wait loop for process output and serial logs. */
export function waitForText(read: () => string, re: RegExp, timeoutMs: number, hooks: WaitHooks): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err: Error | undefined, match?: RegExpExecArray): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unsubscribe();
      if (err) reject(err);
      else if (match) resolve(match);
    };
    const check = (): void => {
      const text = read();
      const match = new RegExp(re.source, re.flags.replace('g', '')).exec(text);
      if (match) return finish(undefined, match);
      const ended = hooks.ended();
      if (ended) finish(new Error(`e2e: ${ended} before ${String(re)} appeared; last output:\n${tail(text)}`));
    };
    const timer = setTimeout(() => {
      finish(new Error(`e2e: ${String(re)} did not appear in ${hooks.what} within ${timeoutMs} ms; last output:\n${tail(read())}`));
    }, timeoutMs);
    const unsubscribe = hooks.subscribe(check);
    check();
  });
}

/** The last `lines` lines of a text. */
export function tail(text: string, lines = 25): string {
  return text.split('\n').slice(-lines).join('\n');
}

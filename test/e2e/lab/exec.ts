/**
 * Small process helpers for the e2e lab: run a command to completion (optionally
 * inside a network namespace) and check that the tools a test needs exist.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (two levels above this folder). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface RunOptions {
  /** Run inside this network namespace (`ip netns exec`). */
  ns?: string;
  timeoutMs?: number;
  /** Resolve instead of reject on a non-zero exit. */
  allowFail?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** The argv that runs `cmd args` inside `ns` (or as is without one). */
export function nsArgv(ns: string | undefined, cmd: string, args: readonly string[]): [string, string[]] {
  return ns ? ['ip', ['netns', 'exec', ns, cmd, ...args]] : [cmd, [...args]];
}

/** Runs a command to completion; rejects with its stderr on failure unless `allowFail`. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const [file, argv] = nsArgv(opts.ns, cmd, args);
  return new Promise((resolve, reject) => {
    execFile(
      file,
      argv,
      { timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, env: opts.env ?? process.env, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        if (err && !opts.allowFail) {
          reject(new Error(`e2e: \`${[file, ...argv].join(' ')}\` failed (${err.message.split('\n')[0] ?? ''}): ${stderr.trim()}`));
          return;
        }
        resolve({ stdout, stderr, code });
      },
    );
  });
}

/** Finds an executable on PATH (or an absolute path); undefined when missing. */
export function which(name: string): string | undefined {
  const candidates = name.includes('/') ? [name] : (process.env.PATH ?? '').split(':').map((dir) => path.join(dir, name));
  for (const file of [...candidates, ...['/usr/sbin', '/sbin'].map((d) => path.join(d, name))]) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

/** Throws a clear error naming the Debian package when a tool or file is missing. */
export function requireTools(tools: Record<string, string>): void {
  const missing = Object.entries(tools).filter(([tool]) => (tool.startsWith('/') ? !fileExists(tool) : !which(tool)));
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map(([, pkg]) => pkg))].join(' ');
    throw new Error(`e2e: missing ${missing.map(([t]) => t).join(', ')}; install with: apt-get install -y ${pkgs}`);
  }
}

function fileExists(file: string): boolean {
  try {
    accessSync(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

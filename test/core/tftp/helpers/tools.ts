/** Running third-party tools from tests: fail loudly when one is missing. */
import { execFile, execFileSync, spawnSync } from 'node:child_process';

/** Throw a clear error when `name` is not installed (tests must fail, never skip). */
export function requireTool(name: string, debPackage: string): void {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${name} is not installed; install it with: apt-get install -y ${debPackage}`);
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a command; resolves with its exit code and output (never rejects on a non-zero exit). */
export function run(cmd: string, args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: opts.cwd, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Synchronous shell helper for namespace setup/teardown. */
export function sh(command: string): string {
  return execFileSync('sh', ['-c', command], { encoding: 'utf8' });
}

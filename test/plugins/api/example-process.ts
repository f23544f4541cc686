/** Start an examples/ API server as a child process on 127.0.0.1 and a free port. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const EXAMPLES = join(import.meta.dirname, '..', '..', '..', 'examples');

export interface ExampleServer {
  readonly origin: string;
  readonly output: () => string;
  /** Resolves once the output matches `re` (child output arrives asynchronously); rejects after `ms`. */
  waitFor(re: RegExp, ms?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startExample(script: string, args: string[], cwd?: string): Promise<ExampleServer> {
  const child: ChildProcess = spawn(process.execPath, [join(EXAMPLES, script), '-port', '0', '-listen', '127.0.0.1', ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within 10 s: ${out}`)), 10_000);
    const check = () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}: ${out}`));
    });
  }).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  const waitFor = async (re: RegExp, ms = 5000) => {
    for (const end = Date.now() + ms; !re.test(out); ) {
      if (Date.now() > end) throw new Error(`${script} output never matched ${String(re)}: ${out}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { origin, output: () => out, waitFor, stop };
}

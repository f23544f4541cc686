/** Run the pixie CLI in-process and capture its output. */
import { PassThrough } from 'node:stream';
import { run } from '../../cli/program.js';
import type { Pixie } from '../../core/pixie.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(
  argv: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; onStarted?: (p: Pixie) => Promise<void> | void } = {},
): Promise<CliResult> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d: Buffer) => (stdout += d.toString()));
  err.on('data', (d: Buffer) => (stderr += d.toString()));
  const stop = new AbortController();
  const code = await run(argv, {
    stdout: out,
    stderr: err,
    cwd: opts.cwd ?? process.cwd(),
    env: opts.env ?? {},
    version: '0.0.0-test',
    signal: stop.signal,
    onStarted: (p) => {
      void Promise.resolve(opts.onStarted?.(p)).finally(() => stop.abort());
    },
  });
  return { code, stdout, stderr };
}

/** A pixie with only its HTTP service, on 127.0.0.1 and a free port, plus curl. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ExecutionContext } from 'ava';
import { testPixie } from '../../helpers/pixie.js';
import type { PixieConfigInput } from '../../../core/config.js';
import type { Pixie } from '../../../core/pixie.js';
import type { LogSink } from '../../helpers/log.js';
import { isPixieError } from '../../../core/errors.js';

const run = promisify(execFile);

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface HttpPixie {
  pixie: Pixie & { sink: LogSink };
  /** `http://127.0.0.1:<port>` */
  base: string;
  port: number;
  cacheDir: string;
}

/**
 * Start a pixie with HTTP only (DHCP/TFTP off) and a private cache dir; it is
 * stopped and the cache removed when the test ends.
 */
export async function startHttpPixie(t: ExecutionContext, config: PixieConfigInput = {}, baseDir?: string): Promise<HttpPixie> {
  const cacheDir = await mkdtemp(join(tmpdir(), 'pixie-http-cache-'));
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const pixie = testPixie({ listenAddr: '127.0.0.1', port, cacheDir, ...config, http: { enabled: true, ...config.http } }, baseDir);
    try {
      await pixie.start();
    } catch (err) {
      await pixie.stop();
      // Another test may have taken the port in between: try another one.
      if (attempt < 5 && isPixieError(err) && err.code === 'PIXIE_ERR_BIND') continue;
      await rm(cacheDir, { recursive: true, force: true });
      throw err;
    }
    t.teardown(async () => {
      await pixie.stop();
      await rm(cacheDir, { recursive: true, force: true });
    });
    return { pixie, base: `http://127.0.0.1:${port}`, port, cacheDir };
  }
}

export interface CurlResult {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Run curl (the real client) and split status, headers and body. */
export async function curl(url: string, args: readonly string[] = []): Promise<CurlResult> {
  // With -I curl prints the headers itself; otherwise -D - puts them before the body.
  const head = args.includes('-I') ? [] : ['-D', '-'];
  const { stdout } = await run('curl', ['-sS', ...head, '--max-time', '60', ...args, url], { encoding: 'buffer', maxBuffer: 64 << 20 }).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('curl is not installed (apt-get install -y curl)');
    throw err;
  });
  const buf = stdout;
  const split = buf.indexOf('\r\n\r\n');
  const lines = buf.subarray(0, split).toString('latin1').split('\r\n');
  const status = Number(lines[0]?.split(' ')[1]);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status, headers, body: buf.subarray(split + 4) };
}

/** All `http://…` URLs in an iPXE script, in order. */
export const scriptUrls = (script: string): string[] => script.match(/http:\/\/\S+/g) ?? [];

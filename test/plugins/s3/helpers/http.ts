/** A pixie with only its HTTP service on 127.0.0.1, and curl as the client. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ExecutionContext } from 'ava';
import { testPixie } from '../../../helpers/pixie.js';
import type { PixieConfigInput } from '../../../../core/config.js';
import type { Pixie } from '../../../../core/pixie.js';
import type { LogSink } from '../../../helpers/log.js';
import { isPixieError } from '../../../../core/errors.js';

const execFileP = promisify(execFile);

function freePort(): Promise<number> {
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
}

/** Start pixie with HTTP only (DHCP/TFTP off); stopped when the test ends. */
export async function startHttpPixie(t: ExecutionContext, config: PixieConfigInput = {}): Promise<HttpPixie> {
  const cacheDir = await mkdtemp(join(tmpdir(), 'pixie-s3-cache-'));
  t.teardown(() => rm(cacheDir, { recursive: true, force: true }));
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const pixie = testPixie({ listenAddr: '127.0.0.1', port, cacheDir, ...config, http: { enabled: true } });
    try {
      await pixie.start();
    } catch (err) {
      await pixie.stop();
      // Another test took the port in between: try another.
      if (attempt < 5 && isPixieError(err) && err.code === 'PIXIE_ERR_BIND') continue;
      throw err;
    }
    t.teardown(() => pixie.stop());
    return { pixie, base: `http://127.0.0.1:${port}` };
  }
}

export interface CurlResult {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Fetch with curl (a real third-party client); headers and body split. */
export async function curl(url: string, args: readonly string[] = []): Promise<CurlResult> {
  const { stdout } = await execFileP('curl', ['-sS', '-D', '-', '--max-time', '60', ...args, url], { encoding: 'buffer', maxBuffer: 64 << 20 }).catch(
    (err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('curl is not installed (apt-get install -y curl)');
      throw err;
    },
  );
  const split = stdout.indexOf('\r\n\r\n');
  const lines = stdout.subarray(0, split).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status: Number(lines[0]?.split(' ')[1]), headers, body: stdout.subarray(split + 4) };
}

/** All `http://…` URLs in an iPXE script, in order. */
export const scriptUrls = (script: string): string[] => script.match(/http:\/\/\S+/g) ?? [];

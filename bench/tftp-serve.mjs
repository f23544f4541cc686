#!/usr/bin/env node
// pixie's TFTP server for bench/tftp.mjs, run inside the bench's server namespace:
//   node [--import tsx] bench/tftp-serve.mjs <addr> <port> <dir>
// Serves the files in <dir> with the server's defaults (maxBlksize 1468, maxWindowsize 16).
// Uses the build in dist/ when there is one and PIXIE_BENCH_SOURCES is unset, else the
// TypeScript sources (start it with `--import tsx` then). Prints "ready <port> (dist|tsx)",
// logs JSON lines (info) to stderr, stops on SIGTERM.
import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';

const [addr = '0.0.0.0', port = '69', dir = '.'] = process.argv.slice(2);
const dist = new URL('../dist/core/', import.meta.url);
const built = !process.env.PIXIE_BENCH_SOURCES && existsSync(new URL('tftp/server.js', dist));
const base = built ? dist : new URL('../core/', import.meta.url);
const ext = built ? '.js' : '.ts';
const { createTftpServer } = await import(new URL(`tftp/server${ext}`, base).href);
const { createEvents } = await import(new URL(`events${ext}`, base).href);

const log = pino({ level: 'info', base: undefined }, pino.destination({ dest: 2, sync: false }));
const server = createTftpServer({
  listenAddr: addr,
  port: Number(port),
  log,
  events: createEvents(log),
  async resolve(req) {
    const path = join(dir, req.filename);
    const st = await stat(path).catch(() => undefined);
    return st?.isFile() ? { size: st.size, open: () => createReadStream(path) } : undefined;
  },
});
await server.start();
process.stdout.write(`ready ${server.address().port} (${built ? 'dist' : 'tsx'})\n`);
process.once('SIGTERM', () => {
  void server.stop().then(() => process.exit(0));
});

#!/usr/bin/env node
/** The `pixie` executable. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pixieRoot } from '../core/boot/firmware.js';
import { run } from './program.js';

const version = (JSON.parse(readFileSync(join(pixieRoot(), 'package.json'), 'utf8')) as { version: string }).version;
const stop = new AbortController();
let signals = 0;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (++signals > 1) process.exit(130);
    stop.abort();
  });
}
const code = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  env: process.env,
  version,
  signal: stop.signal,
});
process.exitCode = code;

/** Load config, create pixie, start it, and run until a stop signal. */
import type { Writable } from 'node:stream';
import { loadConfig, type PixieConfigInput } from '../core/config.js';
import { createPixie, type Pixie } from '../core/pixie.js';
import { createLogger } from '../core/log.js';
import { isPixieError, type ErrorCode } from '../core/errors.js';

export interface RunIo {
  stdout: Writable;
  stderr: Writable;
  cwd: string;
  env: NodeJS.ProcessEnv;
  version: string;
  /** Aborting it stops a running server (SIGINT/SIGTERM in the real CLI). */
  signal: AbortSignal;
  /** Called once the server is up (tests). */
  onStarted?: (pixie: Pixie) => void;
}

/** Errors that mean "you asked for something wrong" (exit 2) rather than "it failed" (exit 1). */
const USAGE_ERRORS: ReadonlySet<ErrorCode> = new Set([
  'PIXIE_ERR_CONFIG',
  'PIXIE_ERR_PLUGIN_LOAD',
  'PIXIE_ERR_PLUGIN_OPTIONS',
  'PIXIE_ERR_FILE_NOT_FOUND',
  'PIXIE_ERR_TEMPLATE',
]);

export async function serve(overrides: PixieConfigInput, configFile: string | undefined, io: RunIo): Promise<number> {
  let pixie: Pixie | undefined;
  try {
    const { config, baseDir, filepath } = await loadConfig({ file: configFile, cwd: io.cwd, overrides });
    const log = createLogger({ format: config.logFormat, debug: config.debug, timestamps: config.logTimestamps, destination: io.stderr });
    if (filepath) log.info(`using config file ${filepath}`);
    pixie = createPixie(config, { log, baseDir });
    await pixie.start();
    const where = pixie.services.flatMap((s) => s.addresses.map((a) => `${s.name} ${a}`));
    log.info(`pixie is ready (plugins: ${pixie.plugins.join(', ')}${where.length ? `; ${where.join(', ')}` : ''})`);
    io.onStarted?.(pixie);
    if (!io.signal.aborted) await new Promise<void>((resolve) => io.signal.addEventListener('abort', () => resolve(), { once: true }));
    log.info('stopping');
    await pixie.stop();
    return 0;
  } catch (err) {
    await pixie?.stop().catch(() => undefined);
    if (isPixieError(err)) {
      io.stderr.write(`pixie: ${err.message}\n  (${err.code}; see docs/errors.md)\n`);
      return USAGE_ERRORS.has(err.code) ? 2 : 1;
    }
    io.stderr.write(`pixie: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}

/**
 * Logging: pino. Pretty, human lines on a terminal; JSON lines otherwise
 * (or as `--log-format` says). Plugins and machines get child loggers.
 */
import { pino, type Logger, type DestinationStream } from 'pino';
import { createRequire } from 'node:module';
import type PinoPretty from 'pino-pretty';

export type { Logger };
export type LogFormat = 'pretty' | 'json' | 'auto';

export interface LogOptions {
  format?: LogFormat;
  debug?: boolean;
  timestamps?: boolean;
  /** Where lines go (tests pass a sink); default stderr. */
  destination?: DestinationStream | NodeJS.WritableStream;
}

export function createLogger(opts: LogOptions = {}): Logger {
  const level = opts.debug ? 'debug' : 'info';
  const dest = opts.destination ?? process.stderr;
  const format = opts.format ?? 'auto';
  const isTty = 'isTTY' in dest && Boolean((dest as { isTTY?: boolean }).isTTY);
  if (format === 'pretty' || (format === 'auto' && isTty)) {
    // Loaded only for pretty output: JSON logging (services, CI) never pays for it.
    const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
    const stream = pretty({
      destination: dest as NodeJS.WritableStream,
      sync: true,
      colorize: isTty,
      ignore: opts.timestamps ? 'pid,hostname' : 'pid,hostname,time',
      translateTime: opts.timestamps ? 'SYS:HH:MM:ss.l' : false,
      messageFormat: '{if plugin}[{plugin}] {end}{if mac}{mac} {end}{msg}',
      hideObject: !opts.debug,
    });
    return pino({ level, base: undefined }, stream);
  }
  return pino({ level, base: undefined, timestamp: opts.timestamps === false ? false : pino.stdTimeFunctions.isoTime }, dest);
}

/** A logger that drops everything (library use, tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * Logging: pino. Pretty, human lines on a terminal; JSON lines otherwise
 * (or as `--log-format` says). Plugins and machines get child loggers.
 */
import { pino, type Logger, type DestinationStream } from 'pino';
import pretty from 'pino-pretty';

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
    const stream = pretty({
      destination: dest as NodeJS.WritableStream,
      sync: true,
      colorize: isTty,
      ignore: 'pid,hostname',
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

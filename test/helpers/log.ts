/** A pino logger that records parsed JSON lines, for asserting on log output. */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export interface LogSink {
  log: Logger;
  lines: Array<Record<string, unknown> & { msg?: string; level: number }>;
  /** Messages joined, for quick `includes` checks. */
  text(): string;
}

export function logSink(level = 'debug'): LogSink {
  const lines: LogSink['lines'] = [];
  const dest = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l) as LogSink['lines'][number]);
      cb();
    },
  });
  const log = pino({ level, base: undefined }, dest);
  return { log, lines, text: () => lines.map((l) => l.msg ?? '').join('\n') };
}

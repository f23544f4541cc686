/** Pixie instances for tests: network services off unless asked, logs captured. */
import { createPixie, type Pixie } from '../../core/pixie.js';
import type { PixieConfigInput } from '../../core/config.js';
import type { Machine } from '../../core/boot/machine.js';
import { logSink, type LogSink } from './log.js';

export const OFFLINE: PixieConfigInput = {
  dhcp: { enabled: false },
  tftp: { enabled: false },
  http: { enabled: false },
  secret: 'test-secret-0123456789abcdef',
};

export function testPixie(config: PixieConfigInput = {}, baseDir?: string): Pixie & { sink: LogSink } {
  const sink = logSink();
  const pixie = createPixie({ ...OFFLINE, ...config }, { log: sink.log, ...(baseDir ? { baseDir } : {}) });
  return Object.assign(pixie, { sink });
}

export const sampleMachine = (over: Partial<Machine> = {}): Machine => ({
  mac: '52:54:00:12:34:56',
  arch: 'x64',
  firmware: 'bios',
  stage: 'pxe',
  archCode: 0,
  ...over,
});

/**
 * The operator's view of boots: one info line per step a machine takes
 * (offer, iPXE script, kernel/initrd sent, booted), built from events so the
 * protocol servers stay quiet at info level on their hot paths. Lines carry
 * the MAC as a field; the pretty format prints it first.
 */
import type { Logger } from 'pino';
import type { PixieEmitter } from './events.js';

const mb = (bytes: number) => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Subscribe the activity log; returns a function that unsubscribes. */
export function logActivity(events: PixieEmitter, log: Logger): () => void {
  const offs = [
    events.on('dhcp:offer', ({ machine, port, bootFile, serverAddress }) => {
      // An iPXE stage given a file name (not a URL) is being chainloaded into pixie's iPXE.
      const chainload = machine.stage === 'ipxe' && !bootFile.includes('://');
      const what = chainload ? 'iPXE chainload' : machine.stage === 'ipxe' ? 'iPXE script' : machine.stage === 'http' ? 'HTTP boot file' : 'boot file';
      log.info(
        { mac: machine.mac, arch: machine.arch, firmware: machine.firmware, stage: machine.stage, port, bootFile },
        `${what} ${bootFile} offered (${machine.firmware} ${machine.arch}, via ${serverAddress}, port ${port})`,
      );
    }),
    events.on('file:served', ({ kind, mac, bytes, durationMs, status }) => {
      if (kind !== 'kernel' && kind !== 'initrd' && kind !== 'file') return;
      if (status >= 400) return;
      log.info({ mac, kind, bytes, durationMs, status }, `${kind} sent, ${mb(bytes)} in ${secs(durationMs)}`);
    }),
    events.on('boot:ignored', ({ machine, reason }) => {
      log.debug({ mac: machine.mac, reason }, `ignored (${reason})`);
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}

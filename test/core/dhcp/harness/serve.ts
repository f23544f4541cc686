/**
 * Runs a pixie DHCP server inside a network namespace for the netns tests
 * (`ip netns exec NS node --import tsx serve.ts '<json options>'`). Prints one
 * JSON line per event on stdout ({"event":"ready"} first); logs go to stderr.
 */
import { pino } from 'pino';
import { createEvents, type EventName } from '../../../../core/events.js';
import { createDhcpServer } from '../../../../core/dhcp/server.js';

interface HarnessOptions {
  listenAddr?: string;
  noBind?: boolean;
  dhcpPort?: number;
  pxePort?: number;
  httpPort?: number;
  /** MACs for which shouldBoot answers false. */
  ignore?: string[];
  /** Benchmarks: no event lines, info-level logs. */
  quiet?: boolean;
}

const o = JSON.parse(process.argv[2] ?? '{}') as HarnessOptions;
const log = pino({ level: o.quiet ? 'info' : 'debug' }, process.stderr);
const events = createEvents(log);
const print = (line: object): void => void process.stdout.write(JSON.stringify(line) + '\n');
for (const name of (o.quiet ? [] : ['dhcp:discover', 'dhcp:offer', 'boot:ignored']) as EventName[]) {
  events.on(name, (payload) => void print({ event: name, payload }));
}
const server = createDhcpServer({
  listenAddr: o.listenAddr ?? '0.0.0.0',
  dhcpPort: o.dhcpPort ?? 67,
  pxePort: o.pxePort ?? 4011,
  noBind: o.noBind ?? false,
  httpPort: o.httpPort ?? 8080,
  log,
  events,
  shouldBoot: (m) => Promise.resolve(!(o.ignore ?? []).includes(m.mac)),
  firmwareFile: (m) => (m.firmware === 'bios' ? 'undionly.kpxe' : m.arch === 'arm64' ? 'ipxe-arm64.efi' : m.arch === 'x64' ? 'ipxe.efi' : undefined),
});
try {
  await server.start();
  print({ event: 'ready' });
} catch (e) {
  print({ event: 'error', code: (e as { code?: string }).code, message: (e as Error).message });
  process.exit(3);
}
const stop = () => void server.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

/**
 * The network services of a running pixie (DHCP, TFTP, HTTP), wired to the
 * hooks. Each is optional (config `dhcp.enabled`, …).
 */
import type { Pixie } from './pixie.js';
import { startHttpService } from './http/service.js';
import { createTftpServer } from './tftp/server.js';
import { createDhcpServer } from './dhcp/server.js';

export interface Service {
  readonly name: string;
  /** Human-readable listen addresses, for the start-up log line. */
  readonly addresses: readonly string[];
  stop(): Promise<void>;
}

export async function startServices(pixie: Pixie): Promise<Service[]> {
  const started: Service[] = [];
  try {
    // HTTP first: DHCP offers point machines at it.
    if (pixie.config.http.enabled) started.push(await startHttpService(pixie));
    if (pixie.config.tftp.enabled) started.push(await startTftp(pixie));
    if (pixie.config.dhcp.enabled) started.push(await startDhcp(pixie));
  } catch (err) {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    throw err;
  }
  pixie.log.debug({ services: started.map((s) => s.name) }, 'services started');
  return started;
}

async function startTftp(pixie: Pixie): Promise<Service> {
  const { listenAddr, tftp } = pixie.config;
  const server = createTftpServer({
    listenAddr,
    port: tftp.port,
    maxTransfers: tftp.maxTransfers,
    log: pixie.log.child({ service: 'tftp' }),
    events: pixie.events,
    resolve: (req) => pixie.hooks['tftp:request'].promise(req),
  });
  await server.start();
  const a = server.address();
  return { name: 'tftp', addresses: [`${a.address}:${a.port}/udp`], stop: () => server.stop() };
}

async function startDhcp(pixie: Pixie): Promise<Service> {
  const { listenAddr, dhcp, dhcpNoBind, port } = pixie.config;
  const server = createDhcpServer({
    listenAddr,
    dhcpPort: dhcp.port,
    pxePort: dhcp.pxePort,
    noBind: dhcpNoBind,
    httpPort: port,
    log: pixie.log.child({ service: 'dhcp' }),
    events: pixie.events,
    async shouldBoot(machine, request) {
      try {
        if ((await pixie.hooks['dhcp:discover'].promise(machine, request)) === false) {
          pixie.log.debug({ mac: machine.mac }, 'dhcp:discover tap asked to stay silent');
          return false;
        }
      } catch (err) {
        pixie.log.error({ mac: machine.mac, err }, `dhcp:discover failed, staying silent: ${err instanceof Error ? err.message : String(err)}`);
        return false;
      }
      // A failed decision was logged by decide(); stay silent for this packet.
      return (await pixie.decide(machine).catch(() => null)) !== null;
    },
    firmwareFile: (machine) => pixie.ipxe.fileFor(machine),
    ipxeRequire: pixie.config.ipxe.require,
  });
  await server.start();
  const mode = dhcpNoBind ? ' (no-bind)' : '';
  return { name: 'dhcp', addresses: [`${listenAddr}:${dhcp.port}/udp${mode}`, `${listenAddr}:${dhcp.pxePort}/udp`], stop: () => server.stop() };
}

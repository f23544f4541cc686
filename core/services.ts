/**
 * The network services of a running pixie (DHCP, TFTP, HTTP), wired to the
 * hooks. Each is optional (config `dhcp.enabled`, …).
 */
import type { Pixie } from './pixie.js';
import { startHttpService } from './http/service.js';

export interface Service {
  readonly name: string;
  /** Human-readable listen addresses, for the start-up log line. */
  readonly addresses: readonly string[];
  stop(): Promise<void>;
}

export async function startServices(pixie: Pixie): Promise<Service[]> {
  const started: Service[] = [];
  try {
    // Services are added here as the protocol servers land.
    if (pixie.config.http.enabled) started.push(await startHttpService(pixie));
  } catch (err) {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    throw err;
  }
  pixie.log.debug({ services: started.map((s) => s.name) }, 'services started');
  return started;
}

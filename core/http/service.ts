/** The HTTP server as one of pixie's services (config `http.enabled`, `listenAddr`, `port`). */
import type { Pixie } from '../pixie.js';
import type { Service } from '../services.js';
import { createHttpServer } from './server.js';

export async function startHttpService(pixie: Pixie): Promise<Service> {
  const http = await createHttpServer({ pixie, listenAddr: pixie.config.listenAddr, port: pixie.config.port });
  pixie.log.debug({ address: http.address, port: http.port }, 'HTTP listening');
  return { name: 'http', addresses: [`http://${http.address}:${http.port}`], stop: () => http.close() };
}

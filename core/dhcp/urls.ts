/**
 * The URLs a booting machine is pointed at. One builder, shared by the DHCP
 * replies and whatever serves or renders these URLs over HTTP.
 */
import type { Arch } from '../boot/machine.js';

export interface BootUrls {
  /** `http://<address>[:<port>]` (the port is left out when it is 80). */
  readonly base: string;
  /** iPXE script for a machine: `<base>/_/ipxe?mac=<mac>&arch=<arch>`. */
  ipxeScript(machine: { readonly mac: string; readonly arch: Arch }): string;
  /** An iPXE binary over HTTP (UEFI HTTP Boot): `<base>/_/firmware/<name>`. */
  firmware(name: string): string;
}

/** URL builders for a server address (as the machine reaches pixie) and HTTP port. */
export function bootUrls(serverAddress: string, httpPort: number): BootUrls {
  const base = `http://${serverAddress}${httpPort === 80 ? '' : `:${httpPort}`}`;
  return {
    base,
    ipxeScript: (m) => `${base}/_/ipxe?mac=${m.mac}&arch=${m.arch}`, // MACs are normalised: no escaping needed
    firmware: (name) => `${base}/_/firmware/${name.split('/').map(encodeURIComponent).join('/')}`,
  };
}

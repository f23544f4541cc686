/**
 * The URLs pixie hands to machines. A machine reaches pixie at the address of
 * the interface its request arrived on, so every URL is built per machine.
 */

/** `http://<address>[:port]`; the port is left out when it is 80. */
export function httpBase(address: string, port: number): string {
  const host = address.includes(':') ? `[${address}]` : address;
  return port === 80 ? `http://${host}` : `http://${host}:${port}`;
}

/** What a file URL is for; kernel/initrd URLs carry it so the server can report boot progress. */
export interface FileUrlTags {
  readonly type?: 'kernel' | 'initrd' | undefined;
  readonly mac?: string | undefined;
}

/**
 * `<base>/_/file?name=<id>`, plus `&type=…&mac=…` for kernels and initrds.
 * The extra parameters only feed events; they are not signed and never
 * change which file is served.
 */
export function fileUrl(base: string, id: string, tags: FileUrlTags = {}): string {
  let url = `${base}/_/file?name=${id}`;
  if (tags.type) url += `&type=${tags.type}`;
  if (tags.mac) url += `&mac=${tags.mac}`;
  return url;
}

/** The "booted" beacon iPXE fetches right before it hands over to the kernel. */
export function bootingUrl(base: string, mac: string): string {
  return `${base}/_/booting?mac=${mac}`;
}

/** The iPXE script URL of a machine (what DHCP hands to iPXE). */
export function scriptUrl(base: string, mac: string, arch: string): string {
  return `${base}/_/ipxe?mac=${mac}&arch=${arch}`;
}

/**
 * The base URL for one machine: the address it reached pixie on, or the
 * configured listen address when that is a concrete one.
 */
export function machineBase(machine: { readonly serverAddress?: string | undefined }, listenAddr: string, port: number): string {
  const address = machine.serverAddress ?? (listenAddr !== '0.0.0.0' ? listenAddr : undefined);
  if (!address) throw new Error('cannot tell which pixie address this machine reaches (no serverAddress, and pixie listens on 0.0.0.0)');
  return httpBase(address, port);
}

/**
 * What pixie knows about a machine that asks to boot. Built by the DHCP layer
 * from the client's packet (or by the HTTP layer from the `/_/ipxe` query) and
 * handed to `dhcp:discover` and `boot:decide`.
 */

/** CPU architecture, as announced by DHCP option 93 (RFC 4578, IANA registry). */
export type Arch = 'ia32' | 'x64' | 'arm32' | 'arm64';

/** Firmware family the request came from. */
export type Firmware = 'bios' | 'efi';

/**
 * Which boot stage is asking:
 * - `pxe`: the firmware's own PXE stack (needs an iPXE binary over TFTP),
 * - `http`: UEFI HTTP Boot (vendor class `HTTPClient`, wants an HTTP URL),
 * - `ipxe`: iPXE is already running (wants the iPXE script URL).
 */
export type BootStage = 'pxe' | 'http' | 'ipxe';

export interface Machine {
  /** Lower-case, colon-separated MAC address: `aa:bb:cc:dd:ee:ff`. */
  readonly mac: string;
  readonly arch: Arch;
  readonly firmware: Firmware;
  readonly stage: BootStage;
  /** Raw DHCP option 93 value, when the client sent one. */
  readonly archCode?: number | undefined;
  /** iPXE only: whether this iPXE build can fetch over HTTP (feature option 175/19). */
  readonly ipxeHttp?: boolean | undefined;
  /** Client machine identifier (option 97), formatted as a UUID, when sent. */
  readonly uuid?: string | undefined;
  /** Name of the interface the request arrived on, when known. */
  readonly interface?: string | undefined;
  /** The pixie address on that interface: what the machine can reach us by. */
  readonly serverAddress?: string | undefined;
}

/** Normalise a MAC to `aa:bb:cc:dd:ee:ff`; returns undefined for anything else. */
export function normalizeMac(input: string): string | undefined {
  const hex = input.trim().toLowerCase().replace(/[-:.]/g, '');
  if (!/^[0-9a-f]{12}$/.test(hex)) return undefined;
  return hex.match(/../g)!.join(':');
}

/** Format 6 raw bytes as a MAC string. */
export function macFromBytes(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join(':');
}

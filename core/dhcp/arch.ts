/**
 * The architecture map, in one place: DHCP option 93 "Client System
 * Architecture Type" values → what pixie boots them with.
 *
 * Sources: RFC 4578 §2.1 and the IANA "Processor Architecture Types"
 * registry (DHCPv6 parameters, shared by DHCPv4 option 93). Notes:
 * - RFC 4578 lists 7 as "EFI BC" and 9 as "EFI x86-64"; the IANA registry
 *   (and RFC 4578 erratum 4624) swap them: 7 = x64 UEFI, 9 = EBC. Firmware in
 *   the field sends 7 for x64 and a few old ROMs send 9, so both mean x64.
 * - 0 "x86 BIOS" does not say 32 or 64 bit. Every BIOS that PXE-boots today
 *   is an x86-64 PC, and `arch` is what picks a kernel, so 0 maps to `x64`;
 *   the firmware stage gets `undionly.kpxe` either way.
 * - 15/16/18/19 are the "boot from HTTP" twins of 6/7/10/11 (UEFI HTTP Boot).
 */
import type { Arch, Firmware } from '../boot/machine.js';

export interface ArchInfo {
  readonly arch: Arch;
  readonly firmware: Firmware;
  /** UEFI HTTP Boot client: wants a full http:// URL as boot file. */
  readonly httpBoot: boolean;
  /** Registry name, for logs and docs. */
  readonly name: string;
}

/** Option 93 value → architecture. Values not listed are not booted. */
export const ARCH_TYPES: ReadonlyMap<number, ArchInfo> = new Map<number, ArchInfo>([
  [0, { arch: 'x64', firmware: 'bios', httpBoot: false, name: 'x86 BIOS' }],
  [6, { arch: 'ia32', firmware: 'efi', httpBoot: false, name: 'x86 UEFI' }],
  [7, { arch: 'x64', firmware: 'efi', httpBoot: false, name: 'x64 UEFI' }],
  [9, { arch: 'x64', firmware: 'efi', httpBoot: false, name: 'EBC (sent by some x64 UEFI)' }],
  [10, { arch: 'arm32', firmware: 'efi', httpBoot: false, name: 'ARM 32-bit UEFI' }],
  [11, { arch: 'arm64', firmware: 'efi', httpBoot: false, name: 'ARM 64-bit UEFI' }],
  [15, { arch: 'ia32', firmware: 'efi', httpBoot: true, name: 'x86 UEFI boot from HTTP' }],
  [16, { arch: 'x64', firmware: 'efi', httpBoot: true, name: 'x64 UEFI boot from HTTP' }],
  [18, { arch: 'arm32', firmware: 'efi', httpBoot: true, name: 'ARM 32-bit UEFI boot from HTTP' }],
  [19, { arch: 'arm64', firmware: 'efi', httpBoot: true, name: 'ARM 64-bit UEFI boot from HTTP' }],
]);

/** Look up an option 93 value; undefined for values pixie does not boot. */
export function archFromCode(code: number): ArchInfo | undefined {
  return ARCH_TYPES.get(code);
}

/**
 * The option 93 value to use when a client sent none but its vendor class
 * carries one (`PXEClient:Arch:00007:UNDI:003016` → 7), as PXE 2.1 §2.4.4 defines.
 */
export function archCodeFromVendorClass(vendorClass: string | undefined): number | undefined {
  const m = vendorClass ? /^(?:PXEClient|HTTPClient):Arch:(\d{5})(?::|$)/.exec(vendorClass) : null;
  return m ? Number(m[1]) : undefined;
}

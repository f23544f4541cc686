/**
 * iPXE's feature list: iPXE puts one sub-option per compiled-in feature into
 * its encapsulated option 175 (codes 0x10–0x7f, from iPXE's
 * include/ipxe/features.h). pixie reads it to decide whether an iPXE that is
 * already running (e.g. in a NIC ROM) can boot the machine's script, or
 * whether to chainload pixie's own iPXE build first. Pure functions.
 */
import { decodeOptions, Opt } from './options.js';

/** Feature name (as `ipxe.require` / `--ipxe-require` take it) → option 175 sub-option code. */
export const IPXE_FEATURES = {
  'pxe-ext': 0x10,
  iscsi: 0x11,
  aoe: 0x12,
  http: 0x13,
  https: 0x14,
  tftp: 0x15,
  ftp: 0x16,
  dns: 0x17,
  bzimage: 0x18,
  multiboot: 0x19,
  slam: 0x1a,
  srp: 0x1b,
  nbi: 0x20,
  pxe: 0x21,
  elf: 0x22,
  comboot: 0x23,
  efi: 0x24,
  fcoe: 0x25,
  vlan: 0x26,
  menu: 0x27,
  sdi: 0x28,
  nfs: 0x29,
} as const;

export type IpxeFeature = keyof typeof IPXE_FEATURES;

/** The names, for config validation and help texts. */
export const IPXE_FEATURE_NAMES = Object.keys(IPXE_FEATURES) as [IpxeFeature, ...IpxeFeature[]];

/**
 * The features an iPXE request lists in option 175 (a sub-option with a
 * non-zero first byte); undefined when 175 is absent or cannot be decoded.
 */
export function ipxeFeatures(options: ReadonlyMap<number, Uint8Array>): Set<number> | undefined {
  const encap = options.get(Opt.IpxeEncap);
  if (!encap) return undefined;
  const sub = decodeOptions(encap);
  if (!sub.ok) return undefined;
  const out = new Set<number>();
  for (const [code, value] of sub.options) if (code >= 0x10 && code <= 0x7f && value.length > 0 && value[0] !== 0) out.add(code);
  return out;
}

/**
 * Which of `required` (plus `http`, which pixie's scripts always need) an
 * iPXE request does not list. Empty when the request has no readable
 * option 175: without a feature list pixie cannot tell, and serves the script.
 */
export function missingIpxeFeatures(options: ReadonlyMap<number, Uint8Array>, required: readonly IpxeFeature[]): IpxeFeature[] {
  const have = ipxeFeatures(options);
  if (!have) return [];
  const want = new Set<IpxeFeature>(['http', ...required]);
  return [...want].filter((f) => !have.has(IPXE_FEATURES[f]));
}

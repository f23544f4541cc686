/**
 * Which iPXE binary a firmware-stage machine gets, and where that binary
 * lives: the set pixie ships in vendor/ipxe/ (Debian's iPXE build), each
 * overridable with an `--ipxe-*` flag / `ipxe.*` config key.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Machine } from './machine.js';

export type IpxeKey = 'bios' | 'ipxe' | 'efi32' | 'efi64' | 'efiArm64' | 'efiArm32';

/** Boot file names as they appear in DHCP offers and TFTP requests. */
export const IPXE_FILES: Readonly<Record<IpxeKey, string>> = {
  bios: 'undionly.kpxe',
  ipxe: 'ipxe.pxe',
  efi32: 'ipxe-i386.efi',
  efi64: 'ipxe.efi',
  efiArm64: 'ipxe-arm64.efi',
  efiArm32: 'ipxe-arm32.efi',
};

/**
 * The binary key a machine in its firmware stage needs. A BIOS machine whose
 * iPXE (NIC ROM) is chainloaded into pixie's gets `ipxe` (ipxe.pxe: own
 * drivers, as Pixiecore serves iPXE ROMs); UEFI gets the same binary either way.
 */
export function ipxeKeyFor(machine: Pick<Machine, 'firmware' | 'arch'> & { readonly stage?: Machine['stage'] }): IpxeKey {
  if (machine.firmware === 'bios') return machine.stage === 'ipxe' ? 'ipxe' : 'bios';
  switch (machine.arch) {
    case 'ia32':
      return 'efi32';
    case 'x64':
      return 'efi64';
    case 'arm64':
      return 'efiArm64';
    case 'arm32':
      return 'efiArm32';
  }
}

let packageRoot: string | undefined;
/** The directory holding pixie's package.json (works from core/ and dist/core/). */
export function pixieRoot(): string {
  if (packageRoot) return packageRoot;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj) && (JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'pixie-boot') return (packageRoot = dir);
    if (dirname(dir) === dir) throw new Error('cannot find the pixie package root');
  }
}

export interface IpxeBinaries {
  /** Path of the binary for a key, or undefined when none is shipped or configured. */
  pathFor(key: IpxeKey): string | undefined;
  /** Boot file name for a firmware-stage (or chainloaded iPXE) machine, or undefined when no binary exists. */
  fileFor(machine: Pick<Machine, 'firmware' | 'arch'> & { readonly stage?: Machine['stage'] }): string | undefined;
  /** Path for a requested boot file name (TFTP/HTTP), or undefined. */
  pathForName(name: string): string | undefined;
}

export function createIpxeBinaries(overrides: Partial<Record<IpxeKey, string | undefined>>, baseDir: string): IpxeBinaries {
  const vendor = join(pixieRoot(), 'vendor', 'ipxe');
  const paths = new Map<IpxeKey, string>();
  for (const key of Object.keys(IPXE_FILES) as IpxeKey[]) {
    const override = overrides[key];
    const path = override ? resolve(baseDir, override) : join(vendor, IPXE_FILES[key]);
    if (override || existsSync(path)) paths.set(key, path);
  }
  const byName = new Map<string, string>();
  for (const [key, path] of paths) byName.set(IPXE_FILES[key], path);
  // Debian names the x86-64 EFI build ipxe-amd64.efi; answer to both names.
  const efi64 = paths.get('efi64');
  if (efi64) byName.set('ipxe-amd64.efi', efi64);
  const snp = join(vendor, 'snponly.efi');
  if (existsSync(snp)) byName.set('snponly.efi', snp);
  return {
    pathFor: (key) => paths.get(key),
    fileFor: (machine) => {
      const key = ipxeKeyFor(machine);
      return paths.has(key) ? IPXE_FILES[key] : undefined;
    },
    pathForName: (name) => byName.get(name),
  };
}

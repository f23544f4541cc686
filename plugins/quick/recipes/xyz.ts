/**
 * netboot.xyz: an iPXE menu that can then install or run dozens of systems.
 * pixie serves netboot.xyz's own iPXE build as the "kernel": the Linux-kernel
 * format (`.lkrn`) to BIOS machines and the EFI application to UEFI ones
 * (iPXE runs either). `latest` comes from boot.netboot.xyz; a release number
 * (`2.0.88`) from that release's GitHub assets.
 */
import { url, type Recipe } from '../recipe.js';

const RELEASE = /^\d+\.\d+\.\d+$/;

export const xyz: Recipe = {
  name: 'xyz',
  aliases: ['netboot.xyz'],
  description: 'netboot.xyz menu: pick any OS installer or live system on the machine',
  versions: ['latest'],
  otherVersions: 'a release number such as 2.0.88',
  accepts: (v) => v === 'latest' || RELEASE.test(v),
  arches: { x64: 'x86_64', arm64: 'arm64' },
  mirror: 'https://boot.netboot.xyz',
  build({ version, arch, firmware, mirror }) {
    const file = arch === 'arm64' ? 'netboot.xyz-arm64.efi' : firmware === 'efi' ? 'netboot.xyz.efi' : 'netboot.xyz.lkrn';
    const kernel =
      version === 'latest' ? url(mirror, 'ipxe', file) : url('https://github.com/netbootxyz/netboot.xyz/releases/download', version, file);
    return { kernel };
  },
};

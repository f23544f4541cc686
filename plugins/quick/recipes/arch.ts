/**
 * The Arch Linux live ISO's kernel and initramfs, with archiso fetching its
 * root image over HTTP(S) from the same mirror (`archiso_http_srv`).
 * `latest` is the newest monthly ISO; `2026.11.01` pins one.
 */
import { url, type Recipe } from '../recipe.js';

export const arch: Recipe = {
  name: 'arch',
  aliases: ['archlinux'],
  description: 'Arch Linux live system (archiso over HTTP)',
  versions: ['latest'],
  otherVersions: 'or an ISO date such as 2026.11.01',
  accepts: (v) => v === 'latest' || /^\d{4}\.\d{2}\.\d{2}$/.test(v),
  arches: { x64: 'x86_64' },
  mirror: 'https://geo.mirror.pkgbuild.com',
  build({ version, upstreamArch, mirror }) {
    const iso = url(mirror, 'iso', version);
    const boot = url(iso, 'arch/boot', upstreamArch);
    return {
      kernel: `${boot}/vmlinuz-linux`,
      initrd: [`${boot}/initramfs-linux.img`],
      cmdline: `ip=dhcp archisobasedir=arch archiso_http_srv=${iso}/`,
    };
  },
};

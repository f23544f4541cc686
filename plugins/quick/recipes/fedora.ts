/**
 * Fedora's network installer (Anaconda) from the "Everything" tree. As of
 * late 2026, Fedora 44 is the default; `rawhide` is the development tree.
 */
import { url, type Recipe } from '../recipe.js';

export const fedora: Recipe = {
  name: 'fedora',
  description: 'Fedora installer (Anaconda, Everything tree)',
  versions: ['44', '45', '43', 'rawhide'],
  otherVersions: 'or any release number',
  accepts: (v) => v === 'rawhide' || /^\d{2,3}$/.test(v),
  arches: { x64: 'x86_64', arm64: 'aarch64' },
  mirror: 'https://download.fedoraproject.org/pub/fedora/linux',
  build({ version, upstreamArch, mirror }) {
    const tree = url(mirror, version === 'rawhide' ? 'development/rawhide' : `releases/${version}`, 'Everything', upstreamArch, 'os');
    return {
      kernel: `${tree}/images/pxeboot/vmlinuz`,
      initrd: [`${tree}/images/pxeboot/initrd.img`],
      cmdline: `inst.repo=${tree}/ ip=dhcp`,
    };
  },
};

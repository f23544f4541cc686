/**
 * Alpine Linux's netboot image: the LTS kernel, its initramfs and the
 * modloop (kernel modules) that the initramfs downloads, plus the package
 * repository of the same branch. `latest-stable` follows Alpine's releases
 * (v3.24 as of late 2026); `v3.23` pins a branch.
 */
import { url, type Recipe } from '../recipe.js';

export const alpine: Recipe = {
  name: 'alpine',
  description: 'Alpine Linux (netboot, runs from RAM)',
  versions: ['latest-stable', 'v3.24', 'v3.23', 'v3.22'],
  otherVersions: 'or any vX.Y branch',
  accepts: (v) => v === 'latest-stable' || /^v\d+\.\d+$/.test(v),
  arches: { x64: 'x86_64', arm64: 'aarch64' },
  mirror: 'https://dl-cdn.alpinelinux.org/alpine',
  build({ version, upstreamArch, mirror }) {
    const branch = url(mirror, version);
    const netboot = url(branch, 'releases', upstreamArch, 'netboot');
    return {
      kernel: `${netboot}/vmlinuz-lts`,
      initrd: [`${netboot}/initramfs-lts`],
      cmdline: `ip=dhcp alpine_repo=${branch}/main modloop=${netboot}/modloop-lts`,
    };
  },
};

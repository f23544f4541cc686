/**
 * Debian's network installer (debian-installer "netboot" images). Suite
 * names (`stable`, …) follow Debian's releases as they move; codenames pin
 * one. As of late 2026: bookworm = 12 (oldstable), trixie = 13 (stable),
 * forky = 14 (testing), sid = unstable. Debian 13 has no i386 installer.
 */
import { url, type Recipe } from '../recipe.js';

export const debian: Recipe = {
  name: 'debian',
  description: 'Debian installer (netboot)',
  versions: ['stable', 'oldstable', 'testing', 'unstable', 'trixie', 'bookworm', 'forky', 'sid'],
  arches: { x64: 'amd64', arm64: 'arm64' },
  mirror: 'https://deb.debian.org/debian',
  build({ version, upstreamArch, mirror }) {
    const dir = url(mirror, 'dists', version, 'main', `installer-${upstreamArch}`, 'current/images/netboot/debian-installer', upstreamArch);
    return { kernel: `${dir}/linux`, initrd: [`${dir}/initrd.gz`] };
  },
};

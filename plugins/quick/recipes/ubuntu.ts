/**
 * Ubuntu Server's live installer (subiquity) over the network: the `netboot`
 * kernel and initrd that releases.ubuntu.com publishes for each LTS, plus
 * `url=` pointing at the live-server ISO, which the initrd downloads into
 * RAM (so the machine needs a few GB of memory).
 *
 * The ISO's file name carries the point release, and releases.ubuntu.com only
 * keeps the newest one, in step with the netboot kernel. So each LTS maps to
 * its current point release here; update POINT when Ubuntu ships a new one
 * (or give the full number: `pixie quick ubuntu 24.04.4`).
 */
import { url, type Recipe } from '../recipe.js';

/** LTS → newest point release (as of late 2026). */
export const POINT: Readonly<Record<string, string>> = {
  '26.04': '26.04.1',
  '24.04': '24.04.5',
  '22.04': '22.04.5',
};

const CODENAMES: Readonly<Record<string, string>> = { resolute: '26.04', noble: '24.04', jammy: '22.04' };

const POINT_VERSION = /^(\d\d\.\d\d)(\.\d+)?$/;

/** `noble` → `24.04.5`, `24.04` → `24.04.5`, `24.04.3` → itself. */
function pointRelease(version: string): string | undefined {
  const v = CODENAMES[version] ?? version;
  const m = POINT_VERSION.exec(v);
  if (!m || !(m[1]! in POINT)) return undefined;
  return m[2] ? v : POINT[m[1]!];
}

export const ubuntu: Recipe = {
  name: 'ubuntu',
  description: 'Ubuntu Server live installer (downloads the ISO into RAM)',
  versions: ['26.04', '24.04', '22.04', 'resolute', 'noble', 'jammy'],
  otherVersions: 'or a point release such as 24.04.4',
  accepts: (v) => pointRelease(v) !== undefined,
  arches: { x64: 'amd64' },
  mirror: 'https://releases.ubuntu.com',
  build({ version, upstreamArch, mirror }) {
    const point = pointRelease(version) ?? version;
    const series = point.split('.').slice(0, 2).join('.');
    const netboot = url(mirror, series, 'netboot', upstreamArch);
    const iso = url(mirror, series, `ubuntu-${point}-live-server-${upstreamArch}.iso`);
    return {
      kernel: `${netboot}/linux`,
      initrd: [`${netboot}/initrd`],
      // cloud-config-url=/dev/null keeps cloud-init from downloading the ISO a second time.
      cmdline: `ip=dhcp url=${iso} cloud-config-url=/dev/null`,
    };
  },
};

/**
 * The RHEL family's network installers (Anaconda from the BaseOS tree):
 * AlmaLinux and Rocky Linux (8, 9, 10) and CentOS Stream (9, 10), the
 * current successors of `pixiecore quick centos`. Major versions are
 * symlinks on the mirrors to the newest minor release; `9.6` pins one.
 */
import { url, type Recipe } from '../recipe.js';

type TreeFn = (mirror: string, version: string, arch: string) => string;

function anaconda(name: string, description: string, versions: string[], mirror: string, tree: TreeFn, pattern: RegExp, aliases: string[]): Recipe {
  return {
    name,
    aliases,
    description,
    versions,
    otherVersions: name === 'centos' ? undefined : 'or a minor release such as 9.6',
    accepts: (v) => pattern.test(v),
    arches: { x64: 'x86_64', arm64: 'aarch64' },
    mirror,
    build({ version, upstreamArch, mirror: m }) {
      const t = tree(m, version, upstreamArch);
      return { kernel: `${t}/images/pxeboot/vmlinuz`, initrd: [`${t}/images/pxeboot/initrd.img`], cmdline: `inst.repo=${t}/ ip=dhcp` };
    },
  };
}

export const alma = anaconda(
  'alma',
  'AlmaLinux installer (Anaconda, BaseOS)',
  ['10', '9', '8'],
  'https://repo.almalinux.org/almalinux',
  (m, v, a) => url(m, v, 'BaseOS', a, 'os'),
  /^(8|9|10)(\.\d+)?$/,
  ['almalinux'],
);

export const rocky = anaconda(
  'rocky',
  'Rocky Linux installer (Anaconda, BaseOS)',
  ['10', '9', '8'],
  'https://download.rockylinux.org/pub/rocky',
  (m, v, a) => url(m, v, 'BaseOS', a, 'os'),
  /^(8|9|10)(\.\d+)?$/,
  ['rockylinux'],
);

export const centos = anaconda(
  'centos',
  'CentOS Stream installer (Anaconda, BaseOS)',
  ['10', '9'],
  'https://mirror.stream.centos.org',
  (m, v, a) => url(m, `${v}-stream`, 'BaseOS', a, 'os'),
  /^(9|10)$/,
  ['centos-stream'],
);

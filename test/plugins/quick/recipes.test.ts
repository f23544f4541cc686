/**
 * Recipe URL construction, without network: each recipe's default build and
 * its variants (version, arch, mirror, firmware) must give exactly these URLs.
 */
import test from 'ava';
import type { Arch, Firmware } from '../../../core/boot/machine.js';
import type { BootSpec } from '../../../core/boot/spec.js';
import { RECIPES, findRecipe } from '../../../plugins/quick/recipes/index.js';
import { POINT } from '../../../plugins/quick/recipes/ubuntu.js';

interface Row {
  recipe: string;
  version?: string;
  arch?: Arch;
  mirror?: string;
  firmware?: Firmware;
  want: BootSpec;
}

const D = 'https://deb.debian.org/debian/dists';
const F = 'https://download.fedoraproject.org/pub/fedora/linux';
const ALP = 'https://dl-cdn.alpinelinux.org/alpine';

const ROWS: Row[] = [
  { recipe: 'xyz', firmware: 'bios', want: { kernel: 'https://boot.netboot.xyz/ipxe/netboot.xyz.lkrn' } },
  { recipe: 'xyz', firmware: 'efi', want: { kernel: 'https://boot.netboot.xyz/ipxe/netboot.xyz.efi' } },
  { recipe: 'xyz', arch: 'arm64', firmware: 'efi', want: { kernel: 'https://boot.netboot.xyz/ipxe/netboot.xyz-arm64.efi' } },
  { recipe: 'xyz', version: '2.0.88', want: { kernel: 'https://github.com/netbootxyz/netboot.xyz/releases/download/2.0.88/netboot.xyz.lkrn' } },
  {
    recipe: 'debian',
    want: {
      kernel: `${D}/stable/main/installer-amd64/current/images/netboot/debian-installer/amd64/linux`,
      initrd: [`${D}/stable/main/installer-amd64/current/images/netboot/debian-installer/amd64/initrd.gz`],
    },
  },
  {
    recipe: 'debian',
    version: 'trixie',
    arch: 'arm64',
    mirror: 'http://mirror.lab/debian/',
    want: {
      kernel: 'http://mirror.lab/debian/dists/trixie/main/installer-arm64/current/images/netboot/debian-installer/arm64/linux',
      initrd: ['http://mirror.lab/debian/dists/trixie/main/installer-arm64/current/images/netboot/debian-installer/arm64/initrd.gz'],
    },
  },
  {
    recipe: 'ubuntu',
    want: {
      kernel: 'https://releases.ubuntu.com/26.04/netboot/amd64/linux',
      initrd: ['https://releases.ubuntu.com/26.04/netboot/amd64/initrd'],
      cmdline: `ip=dhcp url=https://releases.ubuntu.com/26.04/ubuntu-${POINT['26.04']}-live-server-amd64.iso cloud-config-url=/dev/null`,
    },
  },
  {
    recipe: 'ubuntu',
    version: 'noble',
    want: {
      kernel: 'https://releases.ubuntu.com/24.04/netboot/amd64/linux',
      initrd: ['https://releases.ubuntu.com/24.04/netboot/amd64/initrd'],
      cmdline: `ip=dhcp url=https://releases.ubuntu.com/24.04/ubuntu-${POINT['24.04']}-live-server-amd64.iso cloud-config-url=/dev/null`,
    },
  },
  {
    recipe: 'ubuntu',
    version: '22.04.4',
    want: {
      kernel: 'https://releases.ubuntu.com/22.04/netboot/amd64/linux',
      initrd: ['https://releases.ubuntu.com/22.04/netboot/amd64/initrd'],
      cmdline: 'ip=dhcp url=https://releases.ubuntu.com/22.04/ubuntu-22.04.4-live-server-amd64.iso cloud-config-url=/dev/null',
    },
  },
  {
    recipe: 'fedora',
    want: {
      kernel: `${F}/releases/44/Everything/x86_64/os/images/pxeboot/vmlinuz`,
      initrd: [`${F}/releases/44/Everything/x86_64/os/images/pxeboot/initrd.img`],
      cmdline: `inst.repo=${F}/releases/44/Everything/x86_64/os/ ip=dhcp`,
    },
  },
  {
    recipe: 'fedora',
    version: 'rawhide',
    arch: 'arm64',
    want: {
      kernel: `${F}/development/rawhide/Everything/aarch64/os/images/pxeboot/vmlinuz`,
      initrd: [`${F}/development/rawhide/Everything/aarch64/os/images/pxeboot/initrd.img`],
      cmdline: `inst.repo=${F}/development/rawhide/Everything/aarch64/os/ ip=dhcp`,
    },
  },
  {
    recipe: 'alma',
    want: {
      kernel: 'https://repo.almalinux.org/almalinux/10/BaseOS/x86_64/os/images/pxeboot/vmlinuz',
      initrd: ['https://repo.almalinux.org/almalinux/10/BaseOS/x86_64/os/images/pxeboot/initrd.img'],
      cmdline: 'inst.repo=https://repo.almalinux.org/almalinux/10/BaseOS/x86_64/os/ ip=dhcp',
    },
  },
  {
    recipe: 'rocky',
    version: '9.6',
    arch: 'arm64',
    want: {
      kernel: 'https://download.rockylinux.org/pub/rocky/9.6/BaseOS/aarch64/os/images/pxeboot/vmlinuz',
      initrd: ['https://download.rockylinux.org/pub/rocky/9.6/BaseOS/aarch64/os/images/pxeboot/initrd.img'],
      cmdline: 'inst.repo=https://download.rockylinux.org/pub/rocky/9.6/BaseOS/aarch64/os/ ip=dhcp',
    },
  },
  {
    recipe: 'centos',
    version: '9',
    want: {
      kernel: 'https://mirror.stream.centos.org/9-stream/BaseOS/x86_64/os/images/pxeboot/vmlinuz',
      initrd: ['https://mirror.stream.centos.org/9-stream/BaseOS/x86_64/os/images/pxeboot/initrd.img'],
      cmdline: 'inst.repo=https://mirror.stream.centos.org/9-stream/BaseOS/x86_64/os/ ip=dhcp',
    },
  },
  {
    recipe: 'arch',
    want: {
      kernel: 'https://geo.mirror.pkgbuild.com/iso/latest/arch/boot/x86_64/vmlinuz-linux',
      initrd: ['https://geo.mirror.pkgbuild.com/iso/latest/arch/boot/x86_64/initramfs-linux.img'],
      cmdline: 'ip=dhcp archisobasedir=arch archiso_http_srv=https://geo.mirror.pkgbuild.com/iso/latest/',
    },
  },
  {
    recipe: 'arch',
    version: '2026.11.01',
    mirror: 'http://arch.lab',
    want: {
      kernel: 'http://arch.lab/iso/2026.11.01/arch/boot/x86_64/vmlinuz-linux',
      initrd: ['http://arch.lab/iso/2026.11.01/arch/boot/x86_64/initramfs-linux.img'],
      cmdline: 'ip=dhcp archisobasedir=arch archiso_http_srv=http://arch.lab/iso/2026.11.01/',
    },
  },
  {
    recipe: 'alpine',
    want: {
      kernel: `${ALP}/latest-stable/releases/x86_64/netboot/vmlinuz-lts`,
      initrd: [`${ALP}/latest-stable/releases/x86_64/netboot/initramfs-lts`],
      cmdline: `ip=dhcp alpine_repo=${ALP}/latest-stable/main modloop=${ALP}/latest-stable/releases/x86_64/netboot/modloop-lts`,
    },
  },
  {
    recipe: 'alpine',
    version: 'v3.23',
    arch: 'arm64',
    want: {
      kernel: `${ALP}/v3.23/releases/aarch64/netboot/vmlinuz-lts`,
      initrd: [`${ALP}/v3.23/releases/aarch64/netboot/initramfs-lts`],
      cmdline: `ip=dhcp alpine_repo=${ALP}/v3.23/main modloop=${ALP}/v3.23/releases/aarch64/netboot/modloop-lts`,
    },
  },
  {
    recipe: 'flatcar',
    want: {
      kernel: 'https://stable.release.flatcar-linux.net/amd64-usr/current/flatcar_production_pxe.vmlinuz',
      initrd: ['https://stable.release.flatcar-linux.net/amd64-usr/current/flatcar_production_pxe_image.cpio.gz'],
      cmdline: 'flatcar.autologin',
    },
  },
  {
    recipe: 'flatcar',
    version: 'beta/4321.1.0',
    arch: 'arm64',
    want: {
      kernel: 'https://beta.release.flatcar-linux.net/arm64-usr/4321.1.0/flatcar_production_pxe.vmlinuz',
      initrd: ['https://beta.release.flatcar-linux.net/arm64-usr/4321.1.0/flatcar_production_pxe_image.cpio.gz'],
      cmdline: 'flatcar.autologin',
    },
  },
];

for (const row of ROWS) {
  const label = [row.recipe, row.version, row.arch, row.firmware, row.mirror].filter(Boolean).join(' ');
  test(`${label} builds the expected URLs`, (t) => {
    const r = findRecipe(row.recipe)!;
    const arch = row.arch ?? 'x64';
    const spec = r.build({
      version: row.version ?? r.versions[0]!,
      arch,
      upstreamArch: r.arches[arch]!,
      mirror: (row.mirror ?? r.mirror).replace(/\/+$/, ''),
      firmware: row.firmware ?? 'bios',
    });
    t.deepEqual(spec, row.want);
  });
}

test('every recipe: accepts its listed versions, builds for every arch, only http(s) URLs', (t) => {
  for (const r of RECIPES) {
    t.true(r.versions.length > 0, r.name);
    t.truthy(r.arches.x64, `${r.name} has an x86-64 build`);
    for (const version of r.versions) {
      t.true(r.accepts ? r.accepts(version) : true, `${r.name} ${version}`);
      for (const [arch, upstreamArch] of Object.entries(r.arches)) {
        for (const firmware of ['bios', 'efi'] as const) {
          const spec = r.build({ version, arch: arch as Arch, upstreamArch, mirror: r.mirror, firmware });
          for (const u of [spec.kernel, ...(spec.initrd ?? [])]) t.regex(u ?? '', /^https:\/\/[a-z0-9.-]+\/\S+$/, `${r.name} ${version} ${arch}`);
          t.false(/\/\/[^/]*\/.*\/\//.test(spec.kernel ?? ''), `no double slash in ${spec.kernel}`);
        }
      }
    }
  }
});

test('names are unique and aliases resolve', (t) => {
  const names = RECIPES.flatMap((r) => [r.name, ...(r.aliases ?? [])]);
  t.is(new Set(names).size, names.length);
  t.is(findRecipe('Netboot.XYZ')?.name, 'xyz');
  t.is(findRecipe('centos-stream')?.name, 'centos');
  t.is(findRecipe('coreos'), undefined);
});

const REFUSED: Array<[string, string]> = [
  ['ubuntu', '23.10'],
  ['ubuntu', 'focal'],
  ['fedora', 'f44'],
  ['centos', '8'],
  ['arch', '2026-11-01'],
  ['alpine', '3.22'],
  ['flatcar', 'nightly'],
  ['xyz', '2.0'],
];

for (const [name, version] of REFUSED) {
  test(`${name} refuses version ${version}`, (t) => {
    const r = findRecipe(name)!;
    t.false(r.accepts ? r.accepts(version) : r.versions.includes(version));
  });
}

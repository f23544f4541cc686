/**
 * Flatcar Container Linux (the successor of CoreOS Container Linux, which
 * Pixiecore's `coreos` recipe booted): the PXE kernel and image of a release
 * channel, with console autologin. Pass an Ignition config with
 * `--cmdline 'flatcar.first_boot=1 ignition.config.url=…'`.
 * A version is a channel (`stable`, `beta`, `alpha`, `lts`) or a channel
 * and release (`stable/4230.2.4`). `{channel}` in the mirror is replaced.
 */
import { url, type Recipe } from '../recipe.js';

const VERSION = /^(stable|beta|alpha|lts)(?:\/(\d+\.\d+\.\d+))?$/;

export const flatcar: Recipe = {
  name: 'flatcar',
  description: 'Flatcar Container Linux (PXE image, runs from RAM)',
  versions: ['stable', 'beta', 'alpha', 'lts'],
  otherVersions: 'or channel/release such as stable/4230.2.4',
  accepts: (v) => VERSION.test(v),
  arches: { x64: 'amd64', arm64: 'arm64' },
  mirror: 'https://{channel}.release.flatcar-linux.net',
  build({ version, upstreamArch, mirror }) {
    const [, channel = 'stable', release = 'current'] = VERSION.exec(version) ?? [];
    const dir = url(mirror.replaceAll('{channel}', channel), `${upstreamArch}-usr`, release);
    return {
      kernel: `${dir}/flatcar_production_pxe.vmlinuz`,
      initrd: [`${dir}/flatcar_production_pxe_image.cpio.gz`],
      cmdline: 'flatcar.autologin',
    };
  },
};

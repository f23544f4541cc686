/**
 * QEMU command lines for the firmware kinds the e2e suite boots, and the one-time
 * KVM probe (KVM when it really works, TCG otherwise).
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync, accessSync, constants, rmSync } from 'node:fs';
import { release } from 'node:os';
import path from 'node:path';
import { REPO_ROOT, run, requireTools } from './exec.js';

/**
 * - `bios-ipxe`: SeaBIOS, virtio-net with QEMU's default ROM (iPXE, user class `iPXE`).
 * - `bios-pxe`: SeaBIOS, e1000 with the BIOS-only PXE ROM from ipxe-qemu; still
 *   iPXE (Debian has no other BIOS PXE ROM), used for the TFTP `undionly.kpxe` chainload path.
 * - `uefi-pxe`: OVMF's own PXE stack (option 93 = 7), NIC without option ROM.
 * - `uefi-http`: OVMF with PXE disabled, so UEFI HTTP Boot runs (option 93 = 16).
 * - `arm64-pxe`: AAVMF on `virt`/cortex-a57 (option 93 = 11); always TCG.
 * - `arm64-http`: AAVMF with PXE disabled (option 93 = 19).
 * - `arm32-pxe`: 32-bit ARM AAVMF (`qemu-efi-arm`) on `virt`/cortex-a15 (option 93 = 10);
 *   always TCG. Not in FIRMWARES: no arm32 iPXE build exists in Debian, so nothing
 *   boots it; the suite uses it to show pixie refusing it with a log line.
 */
export type Firmware = 'bios-ipxe' | 'bios-pxe' | 'uefi-pxe' | 'uefi-http' | 'arm64-pxe' | 'arm64-http' | 'arm32-pxe';

export const FIRMWARES: readonly Firmware[] = ['bios-ipxe', 'bios-pxe', 'uefi-pxe', 'uefi-http', 'arm64-pxe', 'arm64-http'];

export type Accel = 'kvm' | 'tcg';

const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';
const AAVMF_CODE = '/usr/share/AAVMF/AAVMF_CODE.fd';
const AAVMF_VARS = '/usr/share/AAVMF/AAVMF_VARS.fd';
const AAVMF32_CODE = '/usr/share/AAVMF/AAVMF32_CODE.fd';
const AAVMF32_VARS = '/usr/share/AAVMF/AAVMF32_VARS.fd';
const PXE_E1000_ROM = '/usr/lib/ipxe/qemu/pxe-e1000.rom';

/** Whether the firmware runs an arm64 guest. */
export function isArm64(fw: Firmware): boolean {
  return fw.startsWith('arm64');
}

/** Whether the firmware runs an ARM guest (arm64 or arm32): always TCG, console ttyAMA0. */
export function isArm(fw: Firmware): boolean {
  return fw.startsWith('arm');
}

/** Throws a clear message when a package the firmware needs is missing. */
export function requireFirmware(fw: Firmware): void {
  if (fw === 'arm32-pxe') {
    requireTools({ 'qemu-system-arm': 'qemu-system-arm', [AAVMF32_CODE]: 'qemu-efi-arm', [AAVMF32_VARS]: 'qemu-efi-arm' });
  } else if (isArm64(fw)) {
    requireTools({ 'qemu-system-aarch64': 'qemu-system-arm', [AAVMF_CODE]: 'qemu-efi-aarch64', [AAVMF_VARS]: 'qemu-efi-aarch64' });
  } else if (fw.startsWith('uefi')) {
    requireTools({ 'qemu-system-x86_64': 'qemu-system-x86', [OVMF_CODE]: 'ovmf', [OVMF_VARS]: 'ovmf' });
  } else {
    requireTools({ 'qemu-system-x86_64': 'qemu-system-x86', '/usr/lib/ipxe/qemu/efi-virtio.rom': 'ipxe-qemu', [PXE_E1000_ROM]: 'ipxe-qemu' });
  }
}

export interface QemuPlan {
  binary: string;
  args: string[];
  /** Writable firmware variable store to copy into place before start. */
  varsTemplate?: string;
}

export interface QemuParams {
  firmware: Firmware;
  accel: Accel;
  mac: string;
  tap: string;
  serialLog: string;
  /** Where the per-VM copy of the UEFI variable store goes. */
  varsFile: string;
  memoryMb: number;
  extraArgs?: readonly string[];
}

/** Builds the QEMU command line for one VM. */
export function qemuPlan(p: QemuParams): QemuPlan {
  const common = [
    '-name', `pixie-e2e-${p.mac}`,
    '-m', String(p.memoryMb),
    '-display', 'none',
    '-monitor', 'none',
    '-no-reboot',
    '-chardev', `file,id=s0,path=${p.serialLog}`,
    '-serial', 'chardev:s0',
    '-netdev', `tap,id=n0,ifname=${p.tap},script=no,downscript=no`,
  ];
  const noPxe = ['-fw_cfg', 'name=opt/org.tianocore/IPv4PXESupport,string=n', '-fw_cfg', 'name=opt/org.tianocore/IPv6PXESupport,string=n'];
  const pflash = (code: string): string[] => [
    '-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${code}`,
    '-drive', `if=pflash,format=raw,unit=1,file=${p.varsFile}`,
  ];
  const extra = p.extraArgs ?? [];
  switch (p.firmware) {
    case 'bios-ipxe':
    case 'bios-pxe': {
      // -nographic (with the serial and monitor redirected above) makes SeaBIOS
      // and the iPXE ROM print to the serial port as well.
      const nic = p.firmware === 'bios-ipxe'
        ? `virtio-net-pci,netdev=n0,mac=${p.mac}`
        : `e1000,netdev=n0,mac=${p.mac},romfile=${PXE_E1000_ROM}`;
      return {
        binary: 'qemu-system-x86_64',
        args: ['-accel', p.accel, '-machine', 'pc', '-nographic', ...common, '-boot', 'n', '-device', nic, ...extra],
      };
    }
    case 'uefi-pxe':
    case 'uefi-http':
      return {
        binary: 'qemu-system-x86_64',
        varsTemplate: OVMF_VARS,
        args: [
          '-accel', p.accel, '-machine', 'q35', '-nodefaults', ...common, ...pflash(OVMF_CODE),
          '-device', `virtio-net-pci,netdev=n0,mac=${p.mac},romfile=`,
          ...(p.firmware === 'uefi-http' ? noPxe : []), ...extra,
        ],
      };
    case 'arm64-pxe':
    case 'arm64-http':
      return {
        binary: 'qemu-system-aarch64',
        varsTemplate: AAVMF_VARS,
        args: [
          '-accel', 'tcg', '-machine', 'virt', '-cpu', 'cortex-a57', '-nodefaults', ...common, ...pflash(AAVMF_CODE),
          '-device', `virtio-net-pci,netdev=n0,mac=${p.mac},romfile=`,
          ...(p.firmware === 'arm64-http' ? noPxe : []), ...extra,
        ],
      };
    case 'arm32-pxe':
      return {
        binary: 'qemu-system-arm',
        varsTemplate: AAVMF32_VARS,
        args: [
          '-accel', 'tcg', '-machine', 'virt', '-cpu', 'cortex-a15', '-nodefaults', ...common, ...pflash(AAVMF32_CODE),
          '-device', `virtio-net-pci,netdev=n0,mac=${p.mac},romfile=`, ...extra,
        ],
      };
  }
}

let accelPromise: Promise<Accel> | undefined;

/**
 * KVM or TCG for x86 guests, decided once per process. `PIXIE_E2E_ACCEL=kvm|tcg`
 * forces a choice; otherwise, when /dev/kvm is usable, the payload kernel is booted
 * directly under KVM (no network) and must print its marker within 15 s. Nested
 * setups where KVM opens but guests hang fall back to TCG. The verdict is cached
 * per host kernel and QEMU version in `.cache/e2e/accel.json`.
 */
export function chooseAccel(log: (line: string) => void, payload: () => Promise<{ kernel: string; initrd: string }>): Promise<Accel> {
  accelPromise ??= probeAccel(log, payload);
  return accelPromise;
}

async function probeAccel(log: (line: string) => void, payload: () => Promise<{ kernel: string; initrd: string }>): Promise<Accel> {
  const forced = process.env.PIXIE_E2E_ACCEL;
  if (forced === 'kvm' || forced === 'tcg') {
    log(`accelerator: ${forced} (PIXIE_E2E_ACCEL)`);
    return forced;
  }
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
  } catch {
    log('accelerator: tcg (software emulation; /dev/kvm is not usable) — expect slow boots');
    return 'tcg';
  }
  const qemuVersion = (await run('qemu-system-x86_64', ['--version'])).stdout.split('\n')[0] ?? '';
  const key = `${release()} ${qemuVersion}`;
  const cacheFile = path.join(process.env.PIXIE_CACHE ?? path.join(REPO_ROOT, '.cache'), 'e2e', 'accel.json');
  if (existsSync(cacheFile)) {
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as { key?: string; accel?: Accel };
    if (cached.key === key && (cached.accel === 'kvm' || cached.accel === 'tcg')) {
      log(`accelerator: ${cached.accel} (probed earlier on this host${cached.accel === 'tcg' ? '; KVM guests did not boot — software emulation, expect slow boots' : ''})`);
      return cached.accel;
    }
  }
  const { kernel, initrd } = await payload();
  const logFile = path.join(path.dirname(cacheFile), `kvm-probe-${process.pid}.log`);
  mkdirSync(path.dirname(cacheFile), { recursive: true });
  const started = Date.now();
  await run('qemu-system-x86_64', [
    '-accel', 'kvm', '-machine', 'pc', '-m', '256', '-nodefaults', '-display', 'none', '-no-reboot',
    '-serial', `file:${logFile}`, '-kernel', kernel, '-initrd', initrd, '-append', 'console=ttyS0 panic=-1 quiet',
  ], { timeoutMs: 15_000, allowFail: true });
  const ok = existsSync(logFile) && readFileSync(logFile, 'latin1').includes('PIXIE-E2E-MARKER');
  rmSync(logFile, { force: true });
  const accel: Accel = ok ? 'kvm' : 'tcg';
  writeFileSync(cacheFile, JSON.stringify({ key, accel, probedAt: new Date().toISOString(), probeMs: Date.now() - started }) + '\n');
  log(ok
    ? `accelerator: kvm (probe booted in ${Date.now() - started} ms)`
    : 'accelerator: tcg (software emulation; a KVM guest did not boot within 15 s) — expect slow boots');
  return accel;
}

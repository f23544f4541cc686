/**
 * The lab and the payload, proven without pixie: dnsmasq + python's http.server
 * boot real firmware (SeaBIOS + iPXE ROM, the undionly.kpxe chainload, OVMF PXE,
 * OVMF HTTP Boot, arm64 AAVMF PXE) into the busybox initramfs, whose marker line
 * must carry the expected kernel cmdline and whose fetch of a URL must succeed.
 * VMs run one after the other (test.serial + the harness's VM lock).
 */
import test from 'ava';
import { Lab, type Firmware } from './harness.js';
import { FETCH_TEXT, bootReference, referenceCmdline } from './reference.js';

async function referenceCase(t: import('ava').ExecutionContext, firmware: Firmware, check?: (out: string) => void): Promise<void> {
  // Payload build, firmware and a slow TCG boot can take minutes on a busy machine.
  t.timeout(firmware.startsWith('arm64') ? 480_000 : 300_000);
  const lab = await Lab.create({ label: `reference-${firmware}` });
  try {
    const boot = await bootReference(lab, firmware);
    const arch = firmware.startsWith('arm64') ? 'arm64' : 'amd64';
    // iPXE's EFI builds hand the kernel "<image name> <cmdline>"; the EFI stub keeps it.
    const imageName = firmware.startsWith('bios') ? '' : 'vmlinuz ';
    t.is(boot.marker, `PIXIE-E2E-MARKER cmdline=${imageName}${referenceCmdline(arch, lab.bridge().serverIp, `reference-${firmware}`)}`);
    t.is(boot.fetch, `PIXIE-E2E-FETCH ${FETCH_TEXT}`);
    t.true(boot.timing.bootMs > 0);
    t.log(`${firmware}: power-on → marker ${boot.timing.bootMs} ms (${boot.timing.accel}, load ${String(boot.timing.load1)})`);
    check?.([boot.servers.dnsmasq.output(), boot.servers.http.output(), boot.vm.console()].join('\n'));
  } finally {
    await lab.close();
  }
}

test.serial('BIOS with iPXE in the NIC ROM boots the payload from dnsmasq + HTTP', async (t) => {
  await referenceCase(t, 'bios-ipxe');
});

test.serial('BIOS PXE ROM chainloads the vendored undionly.kpxe over TFTP', async (t) => {
  await referenceCase(t, 'bios-pxe', (out) => {
    t.regex(out, /undionly\.kpxe : 108847 bytes \[PXE-NBP\]/);
    t.regex(out, /iPXE 1\.21\.1\+git20250501/);
  });
});

test.serial('UEFI x64 (OVMF) PXE loads the vendored ipxe.efi over TFTP', async (t) => {
  await referenceCase(t, 'uefi-pxe', (out) => {
    t.regex(out, /vendor class: PXEClient:Arch:00007/);
    t.regex(out, /sent \S*\/ipxe\.efi to/);
  });
});

test.serial('UEFI x64 HTTP Boot fetches ipxe.efi over HTTP (no TFTP)', async (t) => {
  await referenceCase(t, 'uefi-http', (out) => {
    t.regex(out, /vendor class: HTTPClient:Arch:00016/);
    t.regex(out, /"GET \/ipxe\.efi HTTP\/1\.1" 200/);
    t.notRegex(out, /sent \S*\/ipxe\.efi to/);
  });
});

test.serial('arm64 UEFI (AAVMF) PXE sends option 93 = 11 and boots the arm64 payload', async (t) => {
  await referenceCase(t, 'arm64-pxe', (out) => {
    t.regex(out, /vendor class: PXEClient:Arch:00011/);
    t.regex(out, /PIXIE-E2E-INFO arch=aarch64/);
  });
});

test.serial('arm64 UEFI HTTP Boot (option 93 = 19) fetches ipxe-arm64.efi over HTTP', async (t) => {
  await referenceCase(t, 'arm64-http', (out) => {
    t.regex(out, /vendor class: HTTPClient:Arch:00019/);
    t.regex(out, /"GET \/ipxe-arm64\.efi HTTP\/1\.1" 200/);
  });
});

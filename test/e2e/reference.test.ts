/**
 * The lab and the payload, proven without pixie: dnsmasq + python's http.server
 * boot real firmware into the busybox initramfs, whose marker line must carry
 * the expected kernel cmdline and whose fetch of a URL must succeed.
 *
 * Only two references run in the suite: the BIOS iPXE boot (the baseline
 * `npm run bench` compares pixie's scenario 1 with) and the undionly.kpxe
 * chainload (the only proof that the vendored undionly.kpxe, which pixie hands
 * to plain BIOS PXE ROMs, boots here; pixie's own legacy scenario chainloads
 * ipxe.pxe). OVMF PXE / HTTP Boot and arm64 PXE / HTTP Boot are proven by pixie's
 * scenarios (test/e2e/scenarios/); `reference.ts` still knows all six firmware
 * kinds (`node --import=tsx test/e2e/reference-cli.ts --firmware <kind>`).
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

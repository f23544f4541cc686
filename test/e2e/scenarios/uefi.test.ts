/**
 * x86-64 UEFI (OVMF) machines booted by pixie (scenarios 3 and 4 of issue 8),
 * dnsmasq handing out addresses on "another host":
 *
 * 3. OVMF's own PXE: proxyDHCP offer without option 43, so OVMF asks the PXE
 *    boot server on 4011 → TFTP ipxe.efi (vendored 2025) → iPXE → HTTP script → marker.
 * 4. UEFI HTTP Boot (vendor class HTTPClient, option 93 = 16): pixie offers an
 *    http:// URL for ipxe.efi; nothing goes over TFTP.
 *
 * iPXE's EFI build hands the kernel "<image name> <cmdline>", so the marker
 * starts with "kernel " (see expectedMarker).
 */
import test from 'ava';
import { Lab, ensurePayload } from '../harness.js';
import { expectBoot, startAddressServer, startPixie } from '../pixie.js';

test.serial('3. UEFI x64 PXE: proxyDHCP/4011 → TFTP ipxe.efi → iPXE → HTTP script → marker', async (t) => {
  t.timeout(360_000);
  const payload = await ensurePayload('amd64');
  const lab = await Lab.create({ label: 's3-uefi-pxe' });
  try {
    const host = await lab.addHost();
    await startAddressServer(lab, { host });
    const cmdline = 'console=ttyS0 quiet pixie.case=s3';
    const pixie = await startPixie(lab, ['boot', payload.kernel, payload.initrd, '--cmdline', cmdline]);
    const vm = await lab.startVm({ firmware: 'uefi-pxe' });
    await expectBoot(t, vm, 's3-uefi-pxe', cmdline);
    // OVMF's PXE was answered on 67 and on the PXE boot server port with ipxe.efi …
    t.true(pixie.find({ mac: vm.mac, stage: 'pxe', firmware: 'efi', port: 4011, bootFile: 'ipxe.efi' }, /^ack to/).length > 0, pixie.tail());
    t.is(pixie.find({ service: 'tftp', filename: 'ipxe.efi' }, /^tftp: sent "ipxe\.efi"/).length, 1, pixie.tail());
    // … and the iPXE it loaded got the script.
    t.true(pixie.find({ mac: vm.mac, stage: 'ipxe', bootFile: `http://${lab.bridge().serverIp}/_/ipxe?mac=${vm.mac}&arch=x64` }).length > 0);
    t.regex(vm.console(), /iPXE 1\.21\.1\+git20250501/);
    await vm.waitForExit(30_000);
  } finally {
    await lab.close();
  }
});

test.serial('4. UEFI HTTP Boot: pixie offers an http:// URL for ipxe.efi; no TFTP at all', async (t) => {
  t.timeout(360_000);
  const payload = await ensurePayload('amd64');
  const lab = await Lab.create({ label: 's4-uefi-http' });
  try {
    const host = await lab.addHost();
    await startAddressServer(lab, { host });
    const cmdline = 'console=ttyS0 quiet pixie.case=s4';
    const pixie = await startPixie(lab, ['boot', payload.kernel, payload.initrd, '--cmdline', cmdline]);
    const vm = await lab.startVm({ firmware: 'uefi-http' });
    await expectBoot(t, vm, 's4-uefi-http', cmdline);
    const serverIp = lab.bridge().serverIp;
    const offers = pixie.find({ mac: vm.mac, stage: 'http' }, /^(offer|ack) to/);
    t.true(offers.length > 0, pixie.tail());
    for (const o of offers) t.is(o.bootFile, `http://${serverIp}/_/firmware/ipxe.efi`);
    t.true(pixie.find({ mac: vm.mac, stage: 'ipxe', bootFile: `http://${serverIp}/_/ipxe?mac=${vm.mac}&arch=x64` }).length > 0);
    // The TFTP server is up (it logged its start) but served nothing and was asked for nothing.
    t.true(pixie.find({ service: 'tftp' }, /listening/).length === 1);
    t.deepEqual(pixie.find({ service: 'tftp' }).filter((l) => !/listening/.test(l.msg)).map((l) => l.msg), []);
    await vm.waitForExit(30_000);
  } finally {
    await lab.close();
  }
});

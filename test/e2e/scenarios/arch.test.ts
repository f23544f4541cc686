/**
 * Every architecture boots (issue 10), with the arm64 payload built from
 * Debian's arm64 packages (ensurePayload('arm64'): an uncompressed EFI-stub
 * Image and a busybox initramfs) and AAVMF under qemu-system-aarch64 (TCG):
 *
 * - arm64 UEFI PXE (option 93 = 11): proxyDHCP → TFTP ipxe-arm64.efi (vendored
 *   2025) → iPXE → HTTP script → arm64 kernel + initramfs → marker.
 * - A mixed rack: one `pixie boot <x86 kernel> <x86 initrd> --kernel-arm64 …
 *   --initrd-arm64 …` boots an x86-64 UEFI PXE VM and an arm64 UEFI HTTP Boot VM
 *   (option 93 = 19) at the same time, each with its own kernel.
 *
 * docs/architectures.md lists which option 93 rows these (and the other
 * scenarios) prove.
 */
import test from 'ava';
import { Lab, ensurePayload, type Vm } from '../harness.js';
import { expectBoot, startAddressServer, startPixie } from '../pixie.js';

test.serial('arm64 UEFI PXE: option 93 = 11 → TFTP ipxe-arm64.efi → iPXE → HTTP → arm64 kernel + initramfs → marker', async (t) => {
  t.timeout(480_000);
  const payload = await ensurePayload('arm64');
  const lab = await Lab.create({ label: 'arch-arm64-pxe' });
  try {
    await startAddressServer(lab, { host: await lab.addHost() });
    const cmdline = 'console=ttyAMA0 quiet pixie.case=arm64-pxe';
    const pixie = await startPixie(lab, ['boot', payload.kernel, payload.initrd, '--cmdline', cmdline]);
    const vm = await lab.startVm({ firmware: 'arm64-pxe' });
    await expectBoot(t, vm, 'arch-arm64-pxe', cmdline);
    await vm.waitFor(/PIXIE-E2E-INFO arch=aarch64/, 30_000);
    const ip = lab.bridge().serverIp;
    t.true(pixie.find({ service: 'dhcp', mac: vm.mac, arch: 'arm64', firmware: 'efi', stage: 'pxe', bootFile: 'ipxe-arm64.efi' }, /^(offer|ack) to/).length > 0, pixie.tail());
    t.is(pixie.find({ service: 'tftp', filename: 'ipxe-arm64.efi' }, /^tftp: sent "ipxe-arm64\.efi"/).length, 1, pixie.tail());
    t.true(pixie.find({ service: 'dhcp', mac: vm.mac, stage: 'ipxe', bootFile: `http://${ip}/_/ipxe?mac=${vm.mac}&arch=arm64` }).length > 0);
    t.regex(vm.console(), /iPXE 1\.21\.1\+git20250501/);
    await vm.waitForExit(30_000);
  } finally {
    await lab.close();
  }
});

test.serial('mixed rack: one pixie boots an x86-64 UEFI VM and an arm64 UEFI HTTP Boot VM, each with its own kernel', async (t) => {
  t.timeout(600_000);
  const [x86, arm] = await Promise.all([ensurePayload('amd64'), ensurePayload('arm64')]);
  const lab = await Lab.create({ label: 'arch-mixed' });
  try {
    await startAddressServer(lab, { host: await lab.addHost() });
    // Both consoles: each kernel uses the one it has.
    const cmdline = 'console=ttyS0 console=ttyAMA0 quiet pixie.case=mixed';
    const pixie = await startPixie(lab, ['boot', x86.kernel, x86.initrd, '--kernel-arm64', arm.kernel, '--initrd-arm64', arm.initrd, '--cmdline', cmdline]);
    const vms = await Promise.all([lab.startVm({ firmware: 'uefi-pxe' }), lab.startVm({ firmware: 'arm64-http' })]);
    const ip = lab.bridge().serverIp;
    const check = async (vm: Vm, want: { info: RegExp; arch: string; firmwareUrl: string }): Promise<void> => {
      await expectBoot(t, vm, `arch-mixed-${vm.firmware}`, cmdline);
      // The kernel that runs is the one for this architecture.
      await vm.waitFor(want.info, 30_000);
      t.true(pixie.find({ service: 'dhcp', mac: vm.mac, stage: 'ipxe', bootFile: `http://${ip}/_/ipxe?mac=${vm.mac}&arch=${want.arch}` }).length > 0, pixie.tail());
      t.true(pixie.find({ service: 'dhcp', mac: vm.mac, bootFile: want.firmwareUrl }).length > 0, pixie.tail());
    };
    await Promise.all([
      check(vms[0], { info: new RegExp(`PIXIE-E2E-INFO arch=x86_64 kernel=${x86.kernelRelease}`), arch: 'x64', firmwareUrl: 'ipxe.efi' }),
      check(vms[1], { info: new RegExp(`PIXIE-E2E-INFO arch=aarch64 kernel=${arm.kernelRelease}`), arch: 'arm64', firmwareUrl: `http://${ip}/_/firmware/ipxe-arm64.efi` }),
    ]);
    // Each kernel went to its own machine: pixie sent two different kernels.
    const kernels = pixie.find({ kind: 'kernel' }, /kernel sent/);
    t.deepEqual(new Set(kernels.map((k) => k.mac)), new Set(vms.map((v) => v.mac)));
    t.not(kernels.find((k) => k.mac === vms[0].mac)?.bytes, kernels.find((k) => k.mac === vms[1].mac)?.bytes);
    await Promise.all(vms.map((vm) => vm.waitForExit(30_000)));
  } finally {
    await lab.close();
  }
});

test.serial('arm32 UEFI PXE (option 93 = 10): no arm32 iPXE binary configured → pixie logs it once and stays silent', async (t) => {
  t.timeout(300_000);
  const payload = await ensurePayload('amd64');
  const lab = await Lab.create({ label: 'arch-arm32-refused' });
  try {
    await startAddressServer(lab, { host: await lab.addHost() });
    const pixie = await startPixie(lab, ['boot', payload.kernel, payload.initrd]);
    const vm = await lab.startVm({ firmware: 'arm32-pxe' });
    // AAVMF32 retries its DISCOVER: wait for the refusal of a retry too.
    const refused = `ignoring ${vm.mac}: no iPXE binary configured for efi arm32`;
    await pixie.waitForLog({ service: 'dhcp', mac: vm.mac }, /no iPXE binary configured for efi arm32/, 2, 120_000);
    t.log(`refused after ${Math.round(performance.now() - vm.startedAt)} ms`);
    await vm.stop();
    // One warning per MAC, then debug lines; never an offer.
    t.is(pixie.logs().filter((l) => l.level === 40 && l.mac === vm.mac && l.msg === refused).length, 1, pixie.tail());
    t.true(pixie.find({ service: 'dhcp', mac: vm.mac, arch: 'arm32', firmware: 'efi', stage: 'pxe' }).length > 0);
    t.deepEqual(pixie.find({ mac: vm.mac }, /^(offer|ack) to|offered/), []);
    t.deepEqual(pixie.find({ service: 'tftp' }).filter((l) => !/listening/.test(l.msg)), []);
  } finally {
    await lab.close();
  }
});

/**
 * BIOS machines booted by pixie (scenarios 1, 2 and 8 of issue 8), each with
 * dnsmasq handing out addresses on "another host" and pixie `boot` mode:
 *
 * 1. SeaBIOS + QEMU's default virtio-net ROM, which is iPXE (2019): proxyDHCP →
 *    iPXE fetches pixie's HTTP script → kernel + initrd → marker.
 * 2. The legacy path, ROM → TFTP → newer iPXE → HTTP. QEMU (Debian's packages)
 *    has no BIOS PXE ROM that is not iPXE (see test/e2e/README.md, "Legacy BIOS
 *    PXE"), so no plain PXE client can be made. What runs here is what a machine
 *    with an old iPXE in its ROM gets: the e1000 ROM's iPXE 2019 lists HTTP but
 *    not HTTPS in option 175; `--ipxe-require https` makes pixie chainload its
 *    bundled iPXE 2025 (`ipxe.pxe`, BIOS key `ipxe`, as Pixiecore does for iPXE
 *    ROMs) over TFTP; that iPXE lists HTTPS, DHCPs again and gets the script.
 * 8. `{{ ID "./hello.txt" }}` on the cmdline: the booted initramfs fetches the
 *    signed URL from pixie and prints the file.
 */
import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Lab, bootTimeoutMs, ensurePayload } from '../harness.js';
import { expectBoot, expectedMarker, MARKER, recordScenario, startAddressServer, startPixie } from '../pixie.js';

test.serial('1. BIOS, iPXE ROM: proxyDHCP → iPXE → HTTP script → kernel + initrd → marker', async (t) => {
  t.timeout(300_000);
  const payload = await ensurePayload('amd64');
  const lab = await Lab.create({ label: 's1-bios-ipxe' });
  try {
    const host = await lab.addHost();
    await startAddressServer(lab, { host });
    const cmdline = 'console=ttyS0 quiet pixie.case=s1';
    const pixie = await startPixie(lab, ['boot', payload.kernel, payload.initrd, '--cmdline', cmdline]);
    const vm = await lab.startVm({ firmware: 'bios-ipxe' });
    await expectBoot(t, vm, 's1-bios-ipxe', cmdline);
    // The ROM's iPXE got the script URL straight away: no TFTP step.
    const offers = pixie.find({ mac: vm.mac, stage: 'ipxe' }, /^offer to/);
    t.true(offers.length > 0, pixie.tail());
    t.is(offers[0]?.bootFile, `http://${lab.bridge().serverIp}/_/ipxe?mac=${vm.mac}&arch=x64`);
    t.deepEqual(pixie.find({ service: 'tftp' }, /sent/), []);
    t.true(pixie.find({ mac: vm.mac }, /machine booted/).length === 1);
    await vm.waitForExit(30_000);
  } finally {
    await lab.close();
  }
});

test.serial('2. BIOS legacy path: ROM iPXE without HTTPS → TFTP ipxe.pxe (iPXE 2025) → HTTP script → marker', async (t) => {
  t.timeout(300_000);
  const payload = await ensurePayload('amd64');
  const lab = await Lab.create({ label: 's2-bios-pxe' });
  try {
    const host = await lab.addHost();
    await startAddressServer(lab, { host });
    const cmdline = 'console=ttyS0 quiet pixie.case=s2';
    const pixie = await startPixie(lab, ['boot', payload.kernel, payload.initrd, '--cmdline', cmdline, '--ipxe-require', 'https']);
    const vm = await lab.startVm({ firmware: 'bios-pxe' });
    await expectBoot(t, vm, 's2-bios-pxe-chainload', cmdline);
    const serverIp = lab.bridge().serverIp;
    // The ROM's iPXE was handed ipxe.pxe over TFTP because it lacks HTTPS …
    const chainload = pixie.find({ mac: vm.mac, stage: 'ipxe', bootFile: 'ipxe.pxe' }, /its iPXE lacks https, chainloading ipxe\.pxe/);
    t.true(chainload.length > 0, pixie.tail());
    t.is(pixie.find({ service: 'tftp', filename: 'ipxe.pxe' }, /^tftp: sent "ipxe\.pxe"/).length, 1, pixie.tail());
    // … and the iPXE it loaded (the vendored 2025 build) got the script.
    t.true(pixie.find({ mac: vm.mac, stage: 'ipxe', bootFile: `http://${serverIp}/_/ipxe?mac=${vm.mac}&arch=x64` }, /^offer to/).length > 0, pixie.tail());
    t.regex(vm.console(), /iPXE 1\.21\.1\+git20250501/);
    await vm.waitForExit(30_000);
  } finally {
    await lab.close();
  }
});

test.serial('8. {{ ID "./hello.txt" }} on the cmdline: the booted initramfs fetches the file from pixie', async (t) => {
  t.timeout(300_000);
  const payload = await ensurePayload('amd64');
  const lab = await Lab.create({ label: 's8-file-id' });
  try {
    const host = await lab.addHost();
    await startAddressServer(lab, { host });
    // A relative reference: resolved against pixie's working directory.
    const dir = path.join(lab.tmp, 'files');
    const text = `hello from pixie ${process.pid}`;
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'hello.txt'), `${text}\n`);
    const cmdline = 'console=ttyS0 quiet pixie.fetch={{ ID "./hello.txt" }}';
    const pixie = await startPixie(lab, ['boot', payload.kernel, payload.initrd, '--cmdline', cmdline], { cwd: dir });
    const vm = await lab.startVm({ firmware: 'bios-ipxe' });
    const marker = await vm.waitFor(MARKER, bootTimeoutMs(vm));
    // The template became a signed pixie URL on the cmdline.
    const url = new RegExp(`pixie\\.fetch=http://${lab.bridge().serverIp.replace(/\./g, '\\.')}/_/file\\?\\S+`);
    t.regex(marker.match[0], url);
    t.true(marker.match[0].startsWith(expectedMarker('bios-ipxe', 'console=ttyS0 quiet pixie.fetch=')));
    recordScenario('s8-file-id', vm, marker.elapsedMs);
    const fetched = await vm.waitFor(/PIXIE-E2E-FETCH(-FAILED)? .*/, 60_000);
    t.is(fetched.match[0], `PIXIE-E2E-FETCH ${text}`, pixie.tail());
    await vm.waitForExit(30_000);
  } finally {
    await lab.close();
  }
});

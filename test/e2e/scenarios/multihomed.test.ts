/**
 * Multi-homed pixie (scenario 7 of issue 8): one pixie on a namespace with two
 * bridges (10.77.0.1/24 and 10.77.1.1/24), dnsmasq for each subnet on a host of
 * its own. A BIOS VM on br0 and an OVMF PXE VM on br1 power on together; each
 * must be pointed at pixie's address on its own subnet — in the proxy offer,
 * in the TFTP download (br1) and in the iPXE script URL — and reach the marker.
 */
import test from 'ava';
import { Lab, ensurePayload, type Vm } from '../harness.js';
import { expectBoot, startAddressServer, startPixie } from '../pixie.js';

test('7. multi-homed: a VM on each of two subnets boots, each pointed at its own subnet\'s pixie address', async (t) => {
  t.timeout(420_000);
  const payload = await ensurePayload('amd64');
  const lab = await Lab.create({ bridges: 2, label: 's7-multihomed' });
  try {
    for (const bridge of [0, 1]) await startAddressServer(lab, { host: await lab.addHost({ bridge }) });
    const cmdline = 'console=ttyS0 quiet pixie.case=s7';
    const pixie = await startPixie(lab, ['boot', payload.kernel, payload.initrd, '--cmdline', cmdline]);
    const vms = await Promise.all([lab.startVm({ firmware: 'bios-ipxe', bridge: 0 }), lab.startVm({ firmware: 'uefi-pxe', bridge: 1 })]);
    const check = async (vm: Vm): Promise<void> => {
      await expectBoot(t, vm, `s7-multihomed-br${vm.bridge}`, cmdline);
      const ip = lab.bridge(vm.bridge).serverIp;
      const offers = pixie.find({ service: 'dhcp', mac: vm.mac }, /^(offer|ack) to/);
      t.true(offers.length > 0, pixie.tail());
      for (const o of offers) t.is(o.serverAddress, ip, JSON.stringify(o));
      t.true(offers.some((o) => o.bootFile === `http://${ip}/_/ipxe?mac=${vm.mac}&arch=x64`));
      t.regex(vm.console(), new RegExp(`http://${ip.replace(/\./g, '\\.')}/_/ipxe`));
    };
    await Promise.all(vms.map(check));
    // The UEFI VM on br1 loaded ipxe.efi over TFTP from 10.77.1.1, from its own subnet's address.
    t.true(pixie.find({ service: 'tftp', filename: 'ipxe.efi' }, /^tftp: sent "ipxe\.efi" to 10\.77\.1\.\d+:/).length === 1, pixie.tail());
    await Promise.all(vms.map((vm) => vm.waitForExit(30_000)));
  } finally {
    await lab.close();
  }
});

/**
 * pixie next to an existing DHCP server (scenario 6 of issue 8). pixie never
 * hands out addresses; the VM needs dnsmasq's lease and pixie's boot offer.
 *
 * 6a. Same host: pixie `--dhcp-no-bind` starts first (raw socket, port 67 left
 *     free), then dnsmasq in its default wildcard mode in the same namespace —
 *     which binds 0.0.0.0:67 and would fail with EADDRINUSE had pixie bound it.
 * 6b. Another host: dnsmasq in a second namespace on the same bridge, pixie
 *     binding port 67 normally.
 */
import test from 'ava';
import { Lab, ensurePayload } from '../harness.js';
import { expectBoot, startAddressServer, startPixie } from '../pixie.js';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test.serial('6a. same host: pixie --dhcp-no-bind, then dnsmasq in wildcard mode owns port 67; the VM boots', async (t) => {
  t.timeout(300_000);
  const payload = await ensurePayload('amd64');
  const lab = await Lab.create({ label: 's6-same-host' });
  try {
    const cmdline = 'console=ttyS0 quiet pixie.case=s6-same-host';
    const pixie = await startPixie(lab, ['boot', payload.kernel, payload.initrd, '--cmdline', cmdline, '--dhcp-no-bind']);
    t.true(pixie.find({ service: 'dhcp' }, /proxyDHCP on UDP 67 \(raw socket, port not bound\)/).length === 1, pixie.tail());
    const dnsmasq = await startAddressServer(lab, { wildcard: true });
    const vm = await lab.startVm({ firmware: 'bios-ipxe' });
    await expectBoot(t, vm, 's6-same-host-no-bind', cmdline);
    // The lease is dnsmasq's, the boot offer pixie's, both from 10.77.0.1.
    t.regex(dnsmasq.output(), new RegExp(`DHCPACK\\(br0\\) 10\\.77\\.0\\.1\\d\\d ${escape(vm.mac)}`));
    t.true(pixie.find({ service: 'dhcp', mac: vm.mac, bootFile: `http://10.77.0.1/_/ipxe?mac=${vm.mac}&arch=x64` }, /^offer to/).length > 0, pixie.tail());
    // iPXE's lease REQUEST names 10.77.0.1 (dnsmasq on this host) and asks for an address: never pixie's to ACK.
    t.deepEqual(pixie.find({ service: 'dhcp', mac: vm.mac, port: 67 }, /^ack to/), []);
    await vm.waitForExit(30_000);
  } finally {
    await lab.close();
  }
});

test.serial('6b. another host: dnsmasq in a second namespace, pixie binds port 67; the VM boots', async (t) => {
  t.timeout(300_000);
  const payload = await ensurePayload('amd64');
  const lab = await Lab.create({ label: 's6-other-host' });
  try {
    const host = await lab.addHost();
    const dnsmasq = await startAddressServer(lab, { host, wildcard: true });
    const cmdline = 'console=ttyS0 quiet pixie.case=s6-other-host';
    const pixie = await startPixie(lab, ['boot', payload.kernel, payload.initrd, '--cmdline', cmdline]);
    t.true(pixie.find({ service: 'dhcp', noBind: false }, /^proxyDHCP on UDP 67, PXE boot server on UDP 4011$/).length === 1, pixie.tail());
    const vm = await lab.startVm({ firmware: 'bios-ipxe' });
    await expectBoot(t, vm, 's6-other-host', cmdline);
    t.regex(dnsmasq.output(), new RegExp(`DHCPACK\\(eth0\\) 10\\.77\\.0\\.1\\d\\d ${escape(vm.mac)}`));
    // The VM's router/DHCP server is the other host; its boot server is pixie.
    t.regex(vm.console(), /gw 10\.77\.0\.2\b/);
    t.regex(vm.console(), /Next server: 10\.77\.0\.1\b/);
    t.true(pixie.find({ service: 'dhcp', mac: vm.mac, serverAddress: '10.77.0.1' }, /^offer to/).length > 0, pixie.tail());
    await vm.waitForExit(30_000);
  } finally {
    await lab.close();
  }
});

/**
 * `pixie api <url>` (scenario 5 of issue 8): the boot decision comes from an
 * HTTP API (Pixiecore boot API v1) running as a child process in the lab
 * namespace; dnsmasq on "another host" hands out addresses.
 *
 * - examples/api-example answers every machine with the kernel/initrd/cmdline
 *   it was started with (URLs of a plain HTTP server here): the VM boots exactly that.
 * - examples/api-per-mac answers only the MACs listed in its machines.json and
 *   404s the rest: with two VMs powered on together, the listed one boots and
 *   the other gets no proxy offer at all (its iPXE ROM finds nothing to boot).
 */
import test from 'ava';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Lab, REPO_ROOT, ensurePayload, requireTools, type Payload } from '../harness.js';
import { expectBoot, startAddressServer, startPixie } from '../pixie.js';

/** A folder with the payload as vmlinuz / initrd.img. */
function payloadDir(lab: Lab, payload: Payload): string {
  const dir = path.join(lab.tmp, 'www');
  mkdirSync(dir);
  symlinkSync(payload.kernel, path.join(dir, 'vmlinuz'));
  symlinkSync(payload.initrd, path.join(dir, 'initrd.img'));
  return dir;
}

test.serial('5a. pixie api + examples/api-example: the VM boots the kernel, initrd and cmdline the API returned', async (t) => {
  t.timeout(300_000);
  requireTools({ python3: 'python3' });
  const payload = await ensurePayload('amd64');
  const lab = await Lab.create({ label: 's5-api-example' });
  try {
    const host = await lab.addHost();
    await startAddressServer(lab, { host });
    const ip = lab.bridge().serverIp;
    const files = lab.spawn('python3', ['-u', '-m', 'http.server', '8081', '--bind', ip, '--directory', payloadDir(lab, payload)], { name: 'files' });
    await files.waitForOutput(/Serving HTTP on/, 10_000);
    const cmdline = 'console=ttyS0 quiet pixie.case=s5-api-example';
    const api = lab.spawn(process.execPath, [path.join(REPO_ROOT, 'examples', 'api-example', 'server.js'), '-port', '4242', '-listen', '127.0.0.1',
      '-kernel', `http://${ip}:8081/vmlinuz`, '-initrd', `http://${ip}:8081/initrd.img`, '-cmdline', cmdline], { name: 'api-example' });
    await api.waitForOutput(/api-example listening on/, 10_000);
    const pixie = await startPixie(lab, ['api', 'http://127.0.0.1:4242']);
    const vm = await lab.startVm({ firmware: 'bios-ipxe' });
    await expectBoot(t, vm, 's5-api-example', cmdline);
    t.regex(api.output(), new RegExp(`boot request for ${vm.mac}: answering with http://${ip.replace(/\./g, '\\.')}:8081/vmlinuz`));
    // pixie fetched the kernel and initrd the API named and served them to the VM.
    t.regex(files.output(), /"GET \/vmlinuz HTTP\/1\.1" 200/);
    t.regex(files.output(), /"GET \/initrd\.img HTTP\/1\.1" 200/);
    t.true(pixie.find({ mac: vm.mac, kind: 'kernel' }, /kernel sent/).length > 0, pixie.tail());
    await vm.waitForExit(30_000);
  } finally {
    await lab.close();
  }
});

test.serial('5b. pixie api + examples/api-per-mac: a listed MAC boots, a MAC the API 404s gets no proxy offer', async (t) => {
  t.timeout(300_000);
  const payload = await ensurePayload('amd64');
  const lab = await Lab.create({ label: 's5-api-per-mac' });
  try {
    const host = await lab.addHost();
    await startAddressServer(lab, { host });
    const listed = '52:54:00:5a:00:01';
    const unknown = '52:54:00:5a:00:02';
    const cmdline = 'console=ttyS0 quiet pixie.case=s5-api-per-mac';
    const machines = path.join(lab.tmp, 'machines.json');
    writeFileSync(machines, JSON.stringify({
      profiles: { e2e: { kernel: '/files/vmlinuz', initrd: ['/files/initrd.img'], cmdline } },
      machines: { [listed]: 'e2e' },
      default: null,
    }));
    const api = lab.spawn(process.execPath, [path.join(REPO_ROOT, 'examples', 'api-per-mac', 'server.js'), '-port', '4242', '-listen', '127.0.0.1',
      '-machines', machines, '-files', payloadDir(lab, payload)], { name: 'api-per-mac' });
    await api.waitForOutput(/api-per-mac listening on/, 10_000);
    const pixie = await startPixie(lab, ['api', 'http://127.0.0.1:4242']);
    // Both power on together (2 cores: one each).
    const [booted, refused] = await Promise.all([lab.startVm({ firmware: 'bios-ipxe', mac: listed }), lab.startVm({ firmware: 'bios-ipxe', mac: unknown })]);
    // The refused VM's iPXE ROM gets dnsmasq's address and no boot file, gives up and
    // hands back to SeaBIOS: a bounded wait instead of a long timeout.
    const gaveUp = await refused.waitFor(/No more network devices|No bootable device/, 90_000);
    t.log(`404'd VM gave up after ${gaveUp.elapsedMs} ms`);
    // SeaBIOS then sits at "No bootable device" for good: switch it off.
    await refused.stop();
    await expectBoot(t, booted, 's5-api-per-mac', cmdline);
    t.notRegex(refused.console(), /PIXIE-E2E-MARKER|\/_\/ipxe/);
    t.regex(api.output(), new RegExp(`boot request for ${unknown}: not listed, not booting it`));
    // pixie asked the API, heard 404, and stayed silent: no proxy offer for that MAC.
    t.true(pixie.find({ mac: unknown }, /machine ignored: .*404/).length > 0, pixie.tail());
    t.true(pixie.find({ service: 'dhcp', mac: unknown }, /no plugin boots this machine, staying silent/).length > 0, pixie.tail());
    t.deepEqual(pixie.find({ mac: unknown }, /^(offer|ack) to|offered/).map((l) => l.msg), []);
    t.true(pixie.find({ service: 'dhcp', mac: listed }, /^offer to/).length > 0);
    await booted.waitForExit(30_000);
  } finally {
    await lab.close();
  }
});

/**
 * The escaping rules checked against real iPXE builds: `pixie boot` with a
 * command line full of words iPXE treats specially (comments, `;`, `&&`,
 * `||`) and a multi-line boot message, booted by a QEMU VM in a private
 * namespace (test/e2e harness). The booted initramfs prints /proc/cmdline,
 * which must hold every word unchanged.
 *
 * - bios-ipxe: QEMU's own iPXE ROM (Debian's 2019 build) runs the script.
 * - bios-pxe: SeaBIOS PXE loads pixie's vendored undionly.kpxe (2025 build) over TFTP.
 */
import test from 'ava';
import path from 'node:path';
import { Lab, REPO_ROOT, bootTimeoutMs, ensurePayload, type Firmware, type LabProcess } from '../../e2e/harness.js';
import { DNSMASQ_READY, dnsmasqArgs } from '../../e2e/lab/dnsmasq.js';

const TRICKY = '#hash ; && || a#b x=;y tail=ok';
const MESSAGE = '#1 pixie escaping test\n-v ; && || done';

for (const firmware of ['bios-ipxe', 'bios-pxe'] as Firmware[]) {
  test.serial(`${firmware}: iPXE keeps comment and terminator words in the kernel command line`, async (t) => {
    // Generous: the harness runs one VM at a time across test processes, so this may wait for a slot.
    t.timeout(600_000);
    const payload = await ensurePayload('amd64');
    const lab = await Lab.create({ label: `ipxe-escape-${firmware}`, log: (l) => t.log(l) });
    let pixie: LabProcess | undefined;
    try {
      const host = await lab.addHost();
      const dhcp = lab.spawn('dnsmasq', dnsmasqArgs({ bridge: host.iface, stateDir: lab.tmp, routerAdvertisements: true }), { ns: host.ns });
      await dhcp.waitForOutput(DNSMASQ_READY, 10_000);
      pixie = lab.spawn(
        process.execPath,
        ['--import=tsx', path.join(REPO_ROOT, 'cli', 'main.ts'), 'boot', payload.kernel, payload.initrd, '--cmdline', `console=ttyS0 quiet ${TRICKY}`, '--bootmsg', MESSAGE],
        { name: 'pixie', cwd: REPO_ROOT, env: { ...process.env, FORCE_COLOR: '0' } },
      );
      await pixie.waitForOutput(/pixie is ready/, 30_000);
      const vm = await lab.startVm({ firmware });
      const marker = await vm.waitFor(/PIXIE-E2E-MARKER cmdline=(.*)/, bootTimeoutMs(vm));
      const cmdline = marker.match[1]!.trim();
      t.log(`/proc/cmdline: ${cmdline}`);
      t.is(cmdline, `initrd=initrd0 console=ttyS0 quiet ${TRICKY}`);
      const console = vm.console();
      t.true(console.includes('#1 pixie escaping test'), 'first message line shown by echo');
      t.true(console.includes('-v ; && || done'), 'second message line shown by echo');
      t.false(console.includes('${}'), 'no escape residue on the console');
    } finally {
      await lab.close();
    }
  });
}

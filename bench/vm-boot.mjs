#!/usr/bin/env node
// VM boot time, power-on (QEMU start) → the payload's marker line on the serial console,
// for BIOS (QEMU's iPXE ROM) and UEFI PXE (OVMF), under the e2e lab (test/e2e/harness.ts):
//   - pixie: `pixie boot <kernel> <initrd>` (dist/ build) in the lab namespace, and dnsmasq
//     handing out addresses only on "another host" namespace, as `npm run demo` does;
//   - reference: dnsmasq alone (DHCP + TFTP) and python3 -m http.server
//     (test/e2e/reference.ts), the same VM, kernel and initrd.
// Runs alternate reference, pixie, reference, pixie … (--runs each, default 3) so that
// other load on the machine falls on both; reported: the medians and pixie/reference
// (target ≤ 1.1×, shared/PERFORMANCE.md). Every lab is removed after its boot.
// Usage (root): node bench/vm-boot.mjs [--runs 3] [--firmware bios-ipxe,uefi-pxe]
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { register } from 'tsx/esm/api';
import { PIXIE_CLI, median, requireBuild, requireSetup } from './lib/common.mjs';
import { printResult, ratioRow } from './lib/result.mjs';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, firmware: { type: 'string', default: 'bios-ipxe,uefi-pxe' } },
});
const runs = Number(values.runs);
const firmwares = values.firmware.split(',').filter(Boolean);
if (!(runs >= 1 && runs <= 10) || firmwares.some((f) => !['bios-ipxe', 'bios-pxe', 'uefi-pxe', 'uefi-http'].includes(f))) {
  console.error('usage: vm-boot.mjs [--runs 1..10] [--firmware bios-ipxe,bios-pxe,uefi-pxe,uefi-http]');
  process.exit(2);
}
requireSetup('vm-boot', { ip: 'iproute2', dnsmasq: 'dnsmasq-base', 'qemu-system-x86_64': 'qemu-system-x86', python3: 'python3' });
requireBuild('vm-boot');

// The e2e harness is TypeScript: load it through tsx.
register();
const { Lab, bootTimeoutMs, ensurePayload, REPO_ROOT } = await import('../test/e2e/harness.ts');
const { DNSMASQ_READY, dnsmasqArgs } = await import('../test/e2e/lab/dnsmasq.ts');
const { bootReference } = await import('../test/e2e/reference.ts');

const MARKER = /PIXIE-E2E-MARKER cmdline=.*/;
const FETCH = /PIXIE-E2E-FETCH(-FAILED)? .*/;
const log = (line) => process.stderr.write(`bench/vm-boot: ${line}\n`);
// Harness lines stay in the lab's log folder, except waits for another process's VM (the
// e2e VM lock): those explain a slow bench.
const quiet = (line) => {
  if (/waiting for another/.test(line)) log(line);
};

/** One pixie boot of `firmware`; resolves with power-on → marker in ms. */
async function bootPixie(firmware) {
  const payload = await ensurePayload('amd64');
  const lab = await Lab.create({ label: `bench-vm-pixie-${firmware}`, log: quiet });
  try {
    const host = await lab.addHost();
    const dhcp = lab.spawn('dnsmasq', dnsmasqArgs({ bridge: host.iface, stateDir: lab.tmp, routerAdvertisements: true }), { ns: host.ns });
    await dhcp.waitForOutput(DNSMASQ_READY, 10_000);
    const hello = join(lab.tmp, 'hello.txt');
    writeFileSync(hello, 'hello from pixie\n');
    const cmdline = `console=ttyS0 quiet pixie.fetch={{ ID "${hello}" }} pixie.case=bench-pixie-${firmware}`;
    const pixie = lab.spawn(process.execPath, [PIXIE_CLI, 'boot', payload.kernel, payload.initrd, '--cmdline', cmdline, '--cache-dir', join(lab.tmp, 'cache')],
      { name: 'pixie', cwd: REPO_ROOT, env: { ...process.env, FORCE_COLOR: '0' } });
    await pixie.waitForOutput(/pixie is ready/, 30_000);
    const vm = await lab.startVm({ firmware });
    const marker = await vm.waitFor(MARKER, bootTimeoutMs(vm));
    const fetched = await vm.waitFor(FETCH, 60_000);
    if (fetched.match[0].startsWith('PIXIE-E2E-FETCH-FAILED')) throw new Error(`the booted VM could not fetch its file: ${fetched.match[0]}`);
    return { bootMs: marker.elapsedMs, accel: vm.accel };
  } finally {
    await lab.close();
  }
}

async function bootRef(firmware) {
  const lab = await Lab.create({ label: `bench-vm-reference-${firmware}`, log: quiet });
  try {
    const boot = await bootReference(lab, firmware, { record: false });
    return { bootMs: boot.timing.bootMs, accel: boot.timing.accel };
  } finally {
    await lab.close();
  }
}

const rows = [];
const detail = {};
for (const firmware of firmwares) {
  const times = { reference: [], pixie: [] };
  const failures = { reference: [], pixie: [] };
  let accel = '?';
  for (let i = 0; i < runs; i++) {
    for (const [sys, boot] of [['reference', bootRef], ['pixie', bootPixie]]) {
      try {
        const r = await boot(firmware);
        accel = r.accel;
        times[sys].push(r.bootMs);
        log(`${firmware} ${sys} run ${i + 1}/${runs}: ${(r.bootMs / 1000).toFixed(1)} s (${r.accel}, load ${loadavg()[0].toFixed(1)})`);
      } catch (err) {
        failures[sys].push(err.message.split('\n')[0]);
        log(`${firmware} ${sys} run ${i + 1}/${runs} FAILED: ${err.message.split('\n')[0]}`);
      }
    }
  }
  const row = ratioRow({
    scenario: `VM boot ${firmware} (${accel}), power-on → init, median of ${runs}`, unit: 's', peerName: 'dnsmasq (+ python http.server)',
    peer: median(times.reference) / 1000, pixie: median(times.pixie) / 1000, op: '<=', target: 1.1,
  });
  if (failures.pixie.length) Object.assign(row, { met: false, note: `pixie failed ${failures.pixie.length}/${runs}: ${failures.pixie[0]}` });
  if (failures.reference.length) row.note = `${row.note ? `${row.note}; ` : ''}reference failed ${failures.reference.length}/${runs}`;
  rows.push(row);
  detail[firmware] = { times, failures, accel };
}
printResult('vm-boot', rows, { runs, detail });

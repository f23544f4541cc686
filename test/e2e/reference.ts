/**
 * The dnsmasq-only reference boot: dnsmasq (DHCP + TFTP + router advertisements)
 * and a plain `python3 -m http.server` boot the e2e payload, with no pixie code
 * involved. It proves the lab and payload work on their own and is the baseline
 * `npm run bench` compares pixie's VM boots with (same VM, kernel, initrd and
 * cmdline).
 *
 * Per firmware:
 * - bios-ipxe: iPXE ROM → DHCP (user class iPXE) → TFTP boot.ipxe → HTTP kernel/initrd.
 * - bios-pxe:  PXE ROM → TFTP undionly.kpxe (vendored 2025 iPXE) → the same script.
 *   QEMU's BIOS ROMs are all iPXE; the 2025 build is told apart from the 2019 ROM
 *   by its option 175 feature list (see test/e2e/README.md).
 * - uefi-pxe:  OVMF PXE (option 93 = 7) → TFTP ipxe.efi → script.
 * - uefi-http: OVMF HTTP Boot (vendor class HTTPClient) → HTTP ipxe.efi → script.
 * - arm64-pxe / arm64-http: as the UEFI ones with ipxe-arm64.efi (option 93 = 11 / 19).
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { Lab, bootTimeoutMs, ensurePayload, recordTiming, REPO_ROOT, type BootTiming, type Firmware, type LabProcess, type Vm } from './harness.js';
import { DNSMASQ_READY, dnsmasqArgs } from './lab/dnsmasq.js';
import { isArm64 } from './lab/qemu.js';

export const HTTP_PORT = 8080;
/** Text the payload prints back after `pixie.fetch=…/hello.txt`. */
export const FETCH_TEXT = 'hello-from-the-reference-server';

/** The kernel command line the reference (and pixie's timing scenario) boots with. */
export function referenceCmdline(arch: 'amd64' | 'arm64', serverIp: string, caseName: string): string {
  const consoleDev = arch === 'arm64' ? 'ttyAMA0' : 'ttyS0';
  return `initrd=initrd.img console=${consoleDev} quiet pixie.fetch=http://${serverIp}:${HTTP_PORT}/hello.txt pixie.case=${caseName}`;
}

/** dnsmasq arguments that pick the boot file for each kind of client. */
function bootRules(firmware: Firmware, serverIp: string): string[] {
  const http = `http://${serverIp}:${HTTP_PORT}`;
  // iPXE otherwise waits ~3 s for ProxyDHCP offers after dnsmasq's offer; option
  // 175.176 ("no-pxedhcp") tells it there are none, as a tuned dnsmasq setup would.
  const script = ['--dhcp-boot=tag:ipxe,boot.ipxe', '--dhcp-option=tag:ipxe,encap:175,176,1b'];
  switch (firmware) {
    case 'bios-ipxe':
      return ['--dhcp-userclass=set:ipxe,iPXE', ...script];
    case 'bios-pxe':
      // Both the 2019 ROM and the 2025 undionly.kpxe say "iPXE"; only the 2025 build
      // lists sub-option 38 right after the bus id and version in option 175.
      return [
        '--dhcp-match=set:ipxe2025,175,b1:05:*:*:*:*:*:eb:03:*:*:*:26',
        '--dhcp-boot=tag:ipxe2025,boot.ipxe',
        '--dhcp-option=tag:ipxe2025,encap:175,176,1b',
        '--dhcp-boot=tag:!ipxe2025,undionly.kpxe',
      ];
    case 'uefi-pxe':
    case 'arm64-pxe':
      return [
        '--dhcp-userclass=set:ipxe,iPXE',
        '--dhcp-match=set:efi64,option:client-arch,7',
        '--dhcp-match=set:efi64,option:client-arch,9',
        '--dhcp-match=set:arm64,option:client-arch,11',
        ...script,
        '--dhcp-boot=tag:!ipxe,tag:efi64,ipxe.efi',
        '--dhcp-boot=tag:!ipxe,tag:arm64,ipxe-arm64.efi',
      ];
    case 'uefi-http':
    case 'arm64-http':
      return [
        '--dhcp-userclass=set:ipxe,iPXE',
        '--dhcp-vendorclass=set:httpboot,HTTPClient',
        '--dhcp-match=set:arm64,option:client-arch,19',
        '--dhcp-option-force=tag:httpboot,60,HTTPClient',
        ...script,
        '--dhcp-boot=tag:!ipxe,tag:httpboot,tag:!arm64,' + `${http}/ipxe.efi`,
        '--dhcp-boot=tag:!ipxe,tag:httpboot,tag:arm64,' + `${http}/ipxe-arm64.efi`,
      ];
    case 'arm32-pxe':
      throw new Error('e2e: there is no arm32 iPXE build to boot arm32-pxe with');
  }
}

export interface ReferenceServers {
  dnsmasq: LabProcess;
  http: LabProcess;
}

/**
 * Starts dnsmasq and the HTTP server on bridge 0 of `lab`, serving the payloads
 * for both architectures and the vendored iPXE binaries.
 */
export async function startReferenceServers(lab: Lab, firmware: Firmware, caseName: string): Promise<ReferenceServers> {
  const b = lab.bridge(0);
  const tftp = path.join(lab.tmp, 'tftp');
  const www = path.join(lab.tmp, 'www');
  mkdirSync(tftp, { recursive: true });
  mkdirSync(www, { recursive: true });
  for (const f of ['undionly.kpxe', 'ipxe.pxe', 'ipxe.efi', 'snponly.efi', 'ipxe-arm64.efi']) {
    const src = path.join(REPO_ROOT, 'vendor', 'ipxe', f);
    symlinkSync(src, path.join(tftp, f));
    symlinkSync(src, path.join(www, f));
  }
  writeFileSync(path.join(www, 'hello.txt'), `${FETCH_TEXT}\n`);
  // boot.ipxe hands over to a per-architecture script (${buildarch}: i386 for the
  // BIOS builds, x86_64 for ipxe.efi, arm64).
  writeFileSync(path.join(tftp, 'boot.ipxe'), '#!ipxe\nchain boot-${buildarch}.ipxe\n');
  const arches = isArm64(firmware) ? (['arm64'] as const) : (['amd64'] as const);
  for (const arch of arches) {
    const payload = await ensurePayload(arch);
    const dir = path.join(www, arch);
    mkdirSync(dir);
    symlinkSync(payload.kernel, path.join(dir, 'vmlinuz'));
    symlinkSync(payload.initrd, path.join(dir, 'initrd.img'));
    const script = [
      '#!ipxe',
      `kernel http://${b.serverIp}:${HTTP_PORT}/${arch}/vmlinuz ${referenceCmdline(arch, b.serverIp, caseName)}`,
      `initrd http://${b.serverIp}:${HTTP_PORT}/${arch}/initrd.img`,
      'boot',
      '',
    ].join('\n');
    for (const buildarch of arch === 'arm64' ? ['arm64'] : ['i386', 'x86_64']) {
      writeFileSync(path.join(tftp, `boot-${buildarch}.ipxe`), script);
    }
  }
  const dnsmasq = lab.spawn('dnsmasq', dnsmasqArgs({
    bridge: b, stateDir: lab.tmp, tftpRoot: tftp, routerAdvertisements: true, extra: bootRules(firmware, b.serverIp),
  }));
  const http = lab.spawn('python3', ['-u', '-m', 'http.server', String(HTTP_PORT), '--bind', b.serverIp, '--directory', www], { name: 'http' });
  await dnsmasq.waitForOutput(DNSMASQ_READY, 10_000);
  await http.waitForOutput(/Serving HTTP on/, 10_000);
  return { dnsmasq, http };
}

export interface ReferenceBoot {
  timing: BootTiming;
  vm: Vm;
  marker: string;
  fetch: string;
  servers: ReferenceServers;
}

/**
 * Boots one VM of `firmware` against the reference servers in `lab`, waits for
 * the marker and the fetch line, and records the timing (scenario
 * `reference-dnsmasq-<firmware>`).
 */
export async function bootReference(lab: Lab, firmware: Firmware, opts: { record?: boolean } = {}): Promise<ReferenceBoot> {
  const caseName = `reference-${firmware}`;
  const servers = await startReferenceServers(lab, firmware, caseName);
  const vm = await lab.startVm({ firmware });
  const marker = await vm.waitFor(/PIXIE-E2E-MARKER cmdline=.*/, bootTimeoutMs(vm));
  const fetch = await vm.waitFor(/PIXIE-E2E-FETCH(-FAILED)? .*/, 60_000);
  await vm.waitForExit(30_000);
  const timing: BootTiming = {
    scenario: `reference-dnsmasq-${firmware}`,
    firmware,
    accel: vm.accel,
    bootMs: marker.elapsedMs,
    load1: Number((loadavg()[0] ?? 0).toFixed(2)),
  };
  lab.log(`${firmware}: power-on → marker in ${marker.elapsedMs} ms (${vm.accel})`);
  return {
    timing: opts.record === false ? timing : recordTiming(timing),
    vm,
    marker: marker.match[0],
    fetch: fetch.match[0],
    servers,
  };
}

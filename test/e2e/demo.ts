/**
 * `npm run demo` (through scripts/demo.mjs): a private lab where dnsmasq on
 * "another host" hands out addresses, pixie runs `boot` mode with the e2e payload,
 * and one VM network-boots from it. pixie's log and the VM console are streamed
 * as they come; a one-line summary and the timing follow; everything is removed.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Lab, REPO_ROOT, bootTimeoutMs, consoleArg, ensurePayload, type Firmware, type LabProcess, type Vm } from './harness.js';
import { DNSMASQ_READY, dnsmasqArgs } from './lab/dnsmasq.js';
import { isArm64 } from './lab/qemu.js';

export interface DemoOptions {
  firmware: Firmware;
  /** Where the transcript goes; default stdout. */
  out?: (line: string) => void;
}

const FETCH_TEXT = 'hello from a file pixie served by {{ ID }}';

function prefixLines(out: (line: string) => void, prefix: string, format: (line: string) => string = (l) => l): (text: string) => void {
  let rest = '';
  return (text) => {
    const lines = (rest + text).split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) if (l.trim()) out(`${prefix}${format(l)}`);
  };
}

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** Makes one of pixie's JSON log lines readable (`info  aa:bb:… message`); other text passes through. */
export function prettyLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const rec = JSON.parse(line) as { level?: number; msg?: string; mac?: string; plugin?: string };
    if (typeof rec.msg !== 'string') return line;
    const level = (LEVELS[rec.level ?? 30] ?? 'info').padEnd(5);
    return [level, rec.plugin ? `[${rec.plugin}]` : '', rec.mac ?? '', rec.msg].filter(Boolean).join(' ');
  } catch {
    return line;
  }
}

/** The boot path as seen on the VM console, e.g. "DHCP → TFTP → iPXE → kernel → init". */
export function bootPath(consoleText: string): string {
  const steps = ['DHCP'];
  // iPXE prints "tftp://…" / "[PXE-NBP]" for TFTP loads; OVMF prints "Downloading NBP file".
  if (/tftp:\/\/|PXE-NBP|Downloading NBP/.test(consoleText)) steps.push('TFTP');
  if (/iPXE/.test(consoleText)) steps.push('iPXE');
  if (/\[script\]/.test(consoleText)) steps.push('HTTP script');
  steps.push('kernel', 'init');
  return steps.join(' → ');
}

/** Runs the demo; resolves with the process exit code. */
export async function runDemo(opts: DemoOptions): Promise<number> {
  const out = opts.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const arch = isArm64(opts.firmware) ? 'arm64' : 'amd64';
  out(`==> building the test payload (${arch} Debian kernel + busybox initramfs; cached after the first run)`);
  const payload = await ensurePayload(arch);
  out(`    kernel ${payload.kernelRelease}, busybox ${payload.busyboxVersion}`);

  const lab = await Lab.create({ label: 'demo', log: (line) => out(`lab   │ ${line}`) });
  let pixie: LabProcess | undefined;
  let vm: Vm | undefined;
  try {
    out('==> another host on the network runs dnsmasq, handing out addresses only');
    const host = await lab.addHost();
    const dhcp = lab.spawn('dnsmasq', dnsmasqArgs({ bridge: host.iface, stateDir: lab.tmp, routerAdvertisements: true }), { ns: host.ns });
    await dhcp.waitForOutput(DNSMASQ_READY, 10_000);

    const hello = path.join(lab.tmp, 'hello.txt');
    writeFileSync(hello, `${FETCH_TEXT}\n`);
    const cmdline = `${consoleArg(opts.firmware)} quiet pixie.fetch={{ ID "${hello}" }}`;
    const args = ['--import=tsx', path.join(REPO_ROOT, 'cli', 'main.ts'), 'boot', payload.kernel, payload.initrd,
      '--cmdline', cmdline];
    out(`==> pixie boot <kernel> <initrd> --cmdline '${cmdline}' (in namespace ${lab.ns})`);
    pixie = lab.spawn(process.execPath, args, { name: 'pixie', cwd: REPO_ROOT, env: { ...process.env, FORCE_COLOR: '0' } });
    pixie.onOutput(prefixLines(out, 'pixie │ ', prettyLogLine));
    await pixie.waitForOutput(/pixie is ready/, 30_000);

    out(`==> powering on a ${opts.firmware} VM`);
    vm = await lab.startVm({ firmware: opts.firmware });
    const printConsole = prefixLines(out, 'vm    │ ');
    let shown = 0;
    const timer = setInterval(() => {
      const text = vm?.console() ?? '';
      printConsole(text.slice(shown));
      shown = text.length;
    }, 200);
    try {
      const marker = await vm.waitFor(/PIXIE-E2E-MARKER cmdline=.*/, bootTimeoutMs(vm));
      const fetched = await vm.waitFor(/PIXIE-E2E-FETCH(-FAILED)? .*/, 60_000);
      await vm.waitForExit(30_000).catch(() => undefined);
      printConsole(`${vm.console().slice(shown)}\n`);
      shown = vm.console().length;
      const seconds = (marker.elapsedMs / 1000).toFixed(1);
      out('');
      out(`VM ${vm.mac} booted in ${seconds} s: ${bootPath(vm.console())} (${vm.accel === 'tcg' ? 'software emulation' : 'KVM'})`);
      out(`    ${fetched.match[0].startsWith('PIXIE-E2E-FETCH ') ? 'the booted initramfs fetched its {{ ID }} file from pixie' : `fetch failed: ${fetched.match[0]}`}`);
      return fetched.match[0].startsWith('PIXIE-E2E-FETCH ') ? 0 : 1;
    } finally {
      clearInterval(timer);
    }
  } catch (err) {
    out('');
    out(`demo failed: ${(err as Error).message}`);
    if (pixie && !pixie.running) out(`pixie exited early; its output is above and in ${path.join(lab.dir, 'pixie.log')}`);
    out(`logs: ${lab.dir}`);
    return 1;
  } finally {
    out('==> cleaning up (VM, pixie, dnsmasq, namespaces)');
    await lab.close();
  }
}

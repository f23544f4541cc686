/**
 * pixie under test in the e2e lab: the real CLI (`cli/main.ts`, run by tsx as
 * `npm run demo` does) started as a child process inside a lab namespace, with
 * JSON debug logs the scenarios can search; plus the address-only DHCP server
 * every scenario needs (pixie is proxyDHCP only) and the expected marker lines.
 */
import path from 'node:path';
import { loadavg } from 'node:os';
import type { ExecutionContext } from 'ava';
import { REPO_ROOT, bootTimeoutMs, recordTiming, sleep, type BootTiming, type Firmware, type Lab, type LabBridge, type LabProcess, type Vm } from './harness.js';
import { DNSMASQ_READY, dnsmasqArgs } from './lab/dnsmasq.js';

/** One of pixie's JSON log lines. */
export interface PixieLogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export interface PixieRun {
  proc: LabProcess;
  /** pixie's JSON log lines so far (other output is skipped). */
  logs(): PixieLogLine[];
  /** Log lines whose fields match `fields` (strict equality) and, if given, whose message matches `msg`. */
  find(fields: Record<string, unknown>, msg?: RegExp): PixieLogLine[];
  /** The last lines of pixie's output, for failure messages. */
  tail(lines?: number): string;
  /** Waits until `find(fields, msg)` has at least `count` lines; rejects with pixie's last output on timeout or exit. */
  waitForLog(fields: Record<string, unknown>, msg: RegExp | undefined, count: number, timeoutMs: number): Promise<PixieLogLine[]>;
}

export interface StartPixieOptions {
  /** Namespace to run in (default: the lab's main one). */
  ns?: string;
  /** Log name (default `pixie`). */
  name?: string;
  /** Working directory (relative file references resolve against it); default the repository. */
  cwd?: string;
  /** How long to wait for "pixie is ready" (default 60 s: tsx compiles the CLI first on a busy machine). */
  readyMs?: number;
}

// By URL, so that pixie can run from any working directory.
const TSX = import.meta.resolve('tsx');

/**
 * Starts `pixie <args>` with `--log-format json --debug` and a cache folder in
 * the lab's scratch space, and waits for its "pixie is ready" line. If pixie
 * exits or never gets ready, the error carries its last output.
 */
export async function startPixie(lab: Lab, args: readonly string[], opts: StartPixieOptions = {}): Promise<PixieRun> {
  const argv = [`--import=${TSX}`, path.join(REPO_ROOT, 'cli', 'main.ts'), ...args,
    '--log-format', 'json', '--debug', '--cache-dir', path.join(lab.tmp, 'pixie-cache')];
  const proc = lab.spawn(process.execPath, argv, {
    name: opts.name ?? 'pixie', ns: opts.ns, cwd: opts.cwd ?? REPO_ROOT, env: { ...process.env, FORCE_COLOR: '0' },
  });
  const run = pixieRun(proc);
  try {
    await proc.waitForOutput(/pixie is ready/, opts.readyMs ?? 60_000);
  } catch (err) {
    throw new Error(`pixie ${args.join(' ')} did not start: ${(err as Error).message}`);
  }
  return run;
}

function pixieRun(proc: LabProcess): PixieRun {
  let parsedUpTo = 0;
  let partial = '';
  const lines: PixieLogLine[] = [];
  const logs = (): PixieLogLine[] => {
    const out = proc.output();
    // The buffer is bounded; if it was trimmed, start over from what is left.
    if (out.length < parsedUpTo) parsedUpTo = 0;
    const text = partial + out.slice(parsedUpTo);
    parsedUpTo = out.length;
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    for (const l of parts) {
      if (!l.startsWith('{')) continue;
      try {
        const rec = JSON.parse(l) as PixieLogLine;
        if (typeof rec.msg === 'string') lines.push(rec);
      } catch {
        // not a log line
      }
    }
    return lines;
  };
  const find = (fields: Record<string, unknown>, msg?: RegExp): PixieLogLine[] =>
    logs().filter((l) => Object.entries(fields).every(([k, v]) => l[k] === v) && (!msg || msg.test(l.msg)));
  const tail = (n = 30): string => proc.output().split('\n').slice(-n).join('\n');
  return {
    proc,
    logs,
    find,
    tail,
    async waitForLog(fields, msg, count, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = find(fields, msg);
        if (found.length >= count) return found;
        const why = !proc.running ? 'pixie exited' : Date.now() > deadline ? `${timeoutMs} ms passed` : undefined;
        if (why) throw new Error(`e2e: ${why} before ${count} log line(s) matched ${JSON.stringify(fields)} ${String(msg)}; last output:\n${tail()}`);
        await sleep(200);
      }
    },
  };
}

export interface DhcpServerOptions {
  /** Bridge index in the lab's main namespace (default 0); ignored with `host`. */
  bridge?: number;
  /** Run on "another host" (a `lab.addHost()` namespace) instead of the lab's namespace. */
  host?: { ns: string; iface: LabBridge };
  /**
   * dnsmasq's default wildcard mode (binds 0.0.0.0:67, fails with EADDRINUSE if
   * anything holds the port) instead of `--bind-interfaces`.
   */
  wildcard?: boolean;
  name?: string;
}

/**
 * dnsmasq handing out addresses only (no boot options), with router
 * advertisements so iPXE does not wait for IPv6 autoconfiguration.
 */
export async function startAddressServer(lab: Lab, o: DhcpServerOptions = {}): Promise<LabProcess> {
  const iface = o.host?.iface ?? lab.bridge(o.bridge ?? 0);
  let args = dnsmasqArgs({ bridge: iface, stateDir: lab.tmp, routerAdvertisements: true });
  if (o.wildcard) args = args.filter((a) => a !== '--bind-interfaces');
  const proc = lab.spawn('dnsmasq', args, { ns: o.host?.ns, name: o.name ?? `dnsmasq-${iface.name}${o.host ? `-${o.host.ns}` : ''}` });
  await proc.waitForOutput(DNSMASQ_READY, 10_000);
  return proc;
}

/**
 * The marker line the payload prints for `cmdline` booted by pixie's default
 * script (`boot kernel initrd=initrd0 <cmdline>`). iPXE's EFI builds put the
 * image name (`kernel`) first on the EFI stub's command line; BIOS boots don't.
 */
export function expectedMarker(firmware: Firmware, cmdline: string, initrds = 1): string {
  const initrdArgs = Array.from({ length: initrds }, (_, i) => `initrd=initrd${i}`);
  const full = [...initrdArgs, cmdline].filter(Boolean).join(' ');
  return `PIXIE-E2E-MARKER cmdline=${firmware.startsWith('bios') ? '' : 'kernel '}${full}`;
}

/** Matches the whole marker line on the console. */
export const MARKER = /PIXIE-E2E-MARKER cmdline=.*/;

/** Records a pixie scenario's power-on → marker time (with the load average, as the reference does). */
export function recordScenario(scenario: string, vm: Vm, bootMs: number, extra: Record<string, unknown> = {}): BootTiming {
  return recordTiming({ scenario, firmware: vm.firmware, accel: vm.accel, bootMs, load1: Number((loadavg()[0] ?? 0).toFixed(2)), ...extra });
}

/**
 * Wait for `vm`'s marker line, assert it carries exactly `cmdline` (as the
 * firmware passes it), record the boot time under `scenario` and log it.
 */
export async function expectBoot(t: ExecutionContext, vm: Vm, scenario: string, cmdline: string): Promise<{ match: RegExpExecArray; elapsedMs: number }> {
  const marker = await vm.waitFor(MARKER, bootTimeoutMs(vm));
  t.is(marker.match[0], expectedMarker(vm.firmware, cmdline));
  recordScenario(scenario, vm, marker.elapsedMs);
  t.log(`${vm.firmware}${vm.bridge ? ` on br${vm.bridge}` : ''}: power-on → marker ${marker.elapsedMs} ms (${vm.accel})`);
  return marker;
}

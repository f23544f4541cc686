/**
 * The e2e lab: a private network namespace with bridges, processes started inside
 * it (servers under test, reference servers) and QEMU guests on tap devices.
 * Everything is torn down by `close()`, and also on process exit, SIGINT and
 * SIGTERM. Only PIDs the lab started are ever signalled. See test/e2e/README.md.
 *
 * ```ts
 * const lab = await Lab.create({ bridges: 1 });
 * try {
 *   lab.spawn('dnsmasq', ['--no-daemon', …]);
 *   const vm = await lab.startVm({ firmware: 'bios-ipxe' });
 *   const { elapsedMs } = await vm.waitFor(/PIXIE-E2E-MARKER.*\/, bootTimeoutMs(vm));
 * } finally {
 *   await lab.close();
 * }
 * ```
 */
import { mkdirSync, mkdtempSync, rmSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run, requireTools, type RunOptions, type RunResult } from './lab/exec.js';
import {
  bridgePlan, cleanStaleNamespaces, createBridge, createHost, createNamespace, createTap, deleteNamespace,
  deleteNamespaceSync, uniqueNsName, type LabBridge,
} from './lab/netns.js';
import { LabProcess, type SpawnOptions } from './lab/process.js';
import { chooseAccel, isArm, qemuPlan, requireFirmware, type Accel, type Firmware } from './lab/qemu.js';
import { ensurePayload, resultsDir } from './lab/payload.js';
import { Vm } from './lab/vm.js';
import { acquireVmSlot, releaseVmSlotSync } from './lab/vm-lock.js';

export { Vm, cleanConsole, type ConsoleMatch } from './lab/vm.js';
export { LabProcess } from './lab/process.js';
export { type Firmware, type Accel, FIRMWARES } from './lab/qemu.js';
export { type LabBridge } from './lab/netns.js';
export { ensurePayload, recordTiming, resultsDir, type Payload, type BootTiming } from './lab/payload.js';
export { run, requireTools, which, sleep, REPO_ROOT } from './lab/exec.js';

export interface LabOptions {
  /** Number of bridges (subnets 10.77.<i>.0/24, server at .1); default 1. */
  bridges?: number;
  /** A label for log lines and the log folder (e.g. the test's name). */
  label?: string;
  /** Where harness log lines go; default stderr. */
  log?: (line: string) => void;
}

export interface VmOptions {
  firmware: Firmware;
  /** MAC address; a unique locally administered one by default. */
  mac?: string;
  /** Bridge index to attach to; default 0. */
  bridge?: number;
  memoryMb?: number;
  /** Extra QEMU arguments, appended. */
  extraArgs?: string[];
}

/** A namespace standing in for another machine on one of the lab's bridges. */
export interface LabHost {
  ns: string;
  ip: string;
  /** IPv6 ULA address on the same link (lets dnsmasq send router advertisements there). */
  ip6: string;
  bridge: number;
  /** The host's side as a bridge description (interface `eth0`, its own addresses), e.g. for `dnsmasqArgs`. */
  iface: LabBridge;
}

const openLabs = new Set<Lab>();
let handlersInstalled = false;
let vmCounter = 0;

/** A sensible power-on → marker budget for a firmware kind under the given accelerator. */
export function bootTimeoutMs(vm: { firmware: Firmware; accel: Accel }): number {
  if (isArm(vm.firmware)) return 240_000;
  const uefi = vm.firmware.startsWith('uefi');
  if (vm.accel === 'kvm') return uefi ? 60_000 : 45_000;
  return uefi ? 150_000 : 90_000;
}

/** The kernel `console=` argument for a firmware's architecture. */
export function consoleArg(firmware: Firmware): string {
  return isArm(firmware) ? 'console=ttyAMA0' : 'console=ttyS0';
}

export class Lab {
  /** The main namespace: bridges, taps, servers and QEMU live here. */
  readonly ns: string;
  readonly bridges: readonly LabBridge[];
  /** Logs of this lab: serial consoles, process output, harness lines. */
  readonly dir: string;
  /** Scratch space removed on close (firmware variable stores, generated files). */
  readonly tmp: string;
  readonly label: string;
  private readonly logSink: (line: string) => void;
  private readonly hosts: LabHost[] = [];
  private readonly processes = new Set<LabProcess>();
  private readonly vms: Vm[] = [];
  private tapCount = 0;
  private closed = false;

  private constructor(ns: string, bridges: LabBridge[], label: string, log: (line: string) => void) {
    this.ns = ns;
    this.bridges = bridges;
    this.label = label;
    this.dir = path.join(resultsDir(), 'logs', `${label.replace(/[^\w.-]+/g, '_')}-${ns}`);
    mkdirSync(this.dir, { recursive: true });
    this.tmp = mkdtempSync(path.join(tmpdir(), `${ns}-`));
    this.logSink = log;
  }

  /** Creates the namespace and its bridges (cleaning namespaces of dead earlier runs first). */
  static async create(opts: LabOptions = {}): Promise<Lab> {
    requireTools({ ip: 'iproute2' });
    installHandlers();
    const log = opts.log ?? ((line: string) => process.stderr.write(`[e2e] ${line}\n`));
    await cleanStaleNamespaces(log);
    const ns = uniqueNsName();
    const bridges = Array.from({ length: opts.bridges ?? 1 }, (_, i) => bridgePlan(i));
    const lab = new Lab(ns, bridges, opts.label ?? 'lab', log);
    openLabs.add(lab);
    try {
      await createNamespace(ns);
      for (const b of bridges) await createBridge(ns, b);
    } catch (err) {
      await lab.close();
      throw err;
    }
    lab.log(`namespace ${ns} with ${bridges.map((b) => `${b.name} ${b.serverIp}/${b.prefixLength}`).join(', ')}`);
    return lab;
  }

  /** Writes a harness line to the log sink and the lab's log file. */
  log(line: string): void {
    this.logSink(`${this.label}: ${line}`);
    appendFileSync(path.join(this.dir, 'harness.log'), `${new Date().toISOString()} ${line}\n`);
  }

  /** Bridge `i` (default 0). */
  bridge(i = 0): LabBridge {
    const b = this.bridges[i];
    if (!b) throw new Error(`e2e: lab has no bridge ${i}`);
    return b;
  }

  /** Starts a process inside the lab namespace (or `opts.ns`); output goes to `<dir>/<name>.log`. */
  spawn(cmd: string, args: readonly string[], opts: SpawnOptions = {}): LabProcess {
    this.assertOpen();
    const name = opts.name ?? path.basename(cmd);
    const proc = new LabProcess(cmd, args, { ...opts, ns: opts.ns ?? this.ns, name, logFile: opts.logFile ?? path.join(this.dir, `${name}.log`) });
    this.processes.add(proc);
    this.log(`started ${name} (pid ${proc.pid}) in ${opts.ns ?? this.ns}`);
    return proc;
  }

  /** Runs a command to completion inside the lab namespace (or `opts.ns`). */
  exec(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    return run(cmd, args, { ...opts, ns: opts.ns ?? this.ns });
  }

  /** Adds a namespace ("another host") with one veth on bridge `bridge`, address `10.77.<b>.<hostIndex+2>` by default. */
  async addHost(opts: { bridge?: number; ip?: string } = {}): Promise<LabHost> {
    this.assertOpen();
    const b = this.bridge(opts.bridge ?? 0);
    const n = this.hosts.length + 2;
    const ip = opts.ip ?? `10.77.${b.index}.${n}`;
    const ip6 = `fd77:${b.index}::${n}`;
    const host: LabHost = { ns: `${this.ns}h${this.hosts.length}`, ip, ip6, bridge: b.index, iface: { ...b, name: 'eth0', serverIp: ip, serverIp6: ip6 } };
    this.hosts.push(host);
    await createHost(this.ns, b.name, host.ns, `${ip}/${b.prefixLength}`, `veth${this.hosts.length - 1}`, `${ip6}/64`);
    this.log(`host namespace ${host.ns} at ${ip} on ${b.name}`);
    return host;
  }

  /** KVM or TCG for x86 guests (probed once per process). */
  accel(): Promise<Accel> {
    return chooseAccel((line) => this.log(line), () => ensurePayload('amd64'));
  }

  /** Starts a VM on a new tap device; its serial console goes to `<dir>/<name>.serial.log`. */
  async startVm(opts: VmOptions): Promise<Vm> {
    this.assertOpen();
    requireFirmware(opts.firmware);
    const accel: Accel = isArm(opts.firmware) ? 'tcg' : await this.accel();
    const bridge = this.bridge(opts.bridge ?? 0);
    vmCounter += 1;
    const mac = opts.mac ?? `52:54:00:${hex(process.pid >> 8)}:${hex(process.pid)}:${hex(vmCounter)}`;
    const name = `vm${vmCounter}-${opts.firmware}`;
    const tap = `tap${this.tapCount++}`;
    await createTap(this.ns, tap, bridge.name);
    const serialLog = path.join(this.dir, `${name}.serial.log`);
    const varsFile = path.join(this.tmp, `${name}.vars.fd`);
    const plan = qemuPlan({
      firmware: opts.firmware, accel, mac, tap, serialLog, varsFile,
      memoryMb: opts.memoryMb ?? 512, extraArgs: opts.extraArgs,
    });
    if (plan.varsTemplate) await run('cp', ['--sparse=always', plan.varsTemplate, varsFile]);
    const release = await acquireVmSlot(15 * 60_000, (line) => this.log(line));
    let proc: LabProcess;
    const startedAt = performance.now();
    try {
      proc = this.spawn(plan.binary, plan.args, { name });
    } catch (err) {
      release();
      throw err;
    }
    void proc.exited.then(release);
    const vm = new Vm({ name, firmware: opts.firmware, accel, mac, tap, bridge: bridge.index, serialLog }, proc, startedAt);
    this.vms.push(vm);
    this.log(`VM ${name} mac ${mac} on ${bridge.name} (${accel}): ${plan.binary} ${plan.args.join(' ')}`);
    return vm;
  }

  /** Stops every process (VMs first), deletes the namespaces and scratch files. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.vms.map((vm) => vm.stop()));
    await Promise.all([...this.processes].map((p) => p.stop()));
    for (const h of this.hosts) await deleteNamespace(h.ns);
    await deleteNamespace(this.ns);
    rmSync(this.tmp, { recursive: true, force: true });
    openLabs.delete(this);
    this.log('closed');
  }

  /** Synchronous last-resort teardown for exit and signal handlers. */
  closeSync(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.processes) p.signal('SIGKILL');
    for (const h of this.hosts) deleteNamespaceSync(h.ns);
    deleteNamespaceSync(this.ns);
    rmSync(this.tmp, { recursive: true, force: true });
    openLabs.delete(this);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('e2e: lab is closed');
  }
}

function hex(n: number): string {
  return (n & 0xff).toString(16).padStart(2, '0');
}

function closeAllSync(): void {
  for (const lab of [...openLabs]) lab.closeSync();
  releaseVmSlotSync();
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', closeAllSync);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      closeAllSync();
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

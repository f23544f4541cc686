/**
 * A small lab of network namespaces for the DHCP tests: namespaces, bridges,
 * veth-attached client namespaces, pixie's DHCP server (test/core/dhcp/harness)
 * and busybox udhcpc. Everything is named `pxt-dhcp-<pid>-…` and removed by
 * `cleanup()`. Needs root (tests run as root here and in CI).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const HARNESS = join(dirname(fileURLToPath(import.meta.url)), 'harness/serve.ts');
let labCount = 0;

/** Fail (never skip) with the package to install when a tool is missing. */
export function requireTools(tools: Record<string, string>): void {
  if (process.getuid?.() !== 0) throw new Error('the DHCP namespace tests need root (ip netns)');
  for (const [tool, pkg] of Object.entries(tools)) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      throw new Error(`missing tool "${tool}": apt-get install -y ${pkg}`);
    }
  }
}

export interface PixieEventLine {
  event: string;
  payload?: { machine?: { mac?: string }; bootFile?: string; serverAddress?: string; reason?: string };
  code?: string;
  message?: string;
}

export interface ServerProc {
  lines: PixieEventLine[];
  stderr: () => string;
  waitFor(pred: (l: PixieEventLine) => boolean, timeoutMs: number): Promise<PixieEventLine>;
  stop(): Promise<void>;
}

export class Lab {
  readonly tag: string;
  readonly dir: string;
  private readonly namespaces: string[] = [];
  private readonly procs: ChildProcess[] = [];
  private links = 0;

  constructor() {
    this.tag = `pxt-dhcp-${process.pid}-${labCount++}`;
    this.dir = mkdtempSync(join(tmpdir(), 'pxt-dhcp-'));
  }

  sh(...args: string[]): string {
    return execFileSync(args[0]!, args.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  ns(name: string): string {
    const full = `${this.tag}-${name}`;
    this.sh('ip', 'netns', 'add', full);
    this.namespaces.push(full);
    this.sh('ip', '-n', full, 'link', 'set', 'lo', 'up');
    return full;
  }

  bridge(ns: string, name: string, cidr: string): void {
    this.sh('ip', '-n', ns, 'link', 'add', name, 'type', 'bridge');
    this.sh('ip', '-n', ns, 'addr', 'add', cidr, 'dev', name);
    this.sh('ip', '-n', ns, 'link', 'set', name, 'up');
  }

  /** A veth from `client` (as eth0, with `mac`) into `bridge` of `ns`. */
  attach(client: string, ns: string, bridge: string, mac: string): void {
    const host = `vd${process.pid % 100000}x${this.links++}`;
    this.sh('ip', 'link', 'add', host, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', client);
    this.sh('ip', 'link', 'set', host, 'netns', ns);
    this.sh('ip', '-n', ns, 'link', 'set', host, 'master', bridge, 'up');
    this.sh('ip', '-n', client, 'link', 'set', 'eth0', 'address', mac, 'up');
  }

  /** A tap in `bridge` of `ns` for a QEMU NIC. */
  tap(ns: string, bridge: string): string {
    const name = `td${process.pid % 100000}x${this.links++}`;
    this.sh('ip', '-n', ns, 'tuntap', 'add', name, 'mode', 'tap');
    this.sh('ip', '-n', ns, 'link', 'set', name, 'master', bridge, 'up');
    return name;
  }

  /** Start a process in `ns`; killed by cleanup(). */
  spawnIn(ns: string, cmd: string[], opts: { stdout?: 'pipe' | 'ignore' } = {}): ChildProcess {
    const p = spawn('ip', ['netns', 'exec', ns, ...cmd], { stdio: ['ignore', opts.stdout ?? 'pipe', 'pipe'] });
    this.procs.push(p);
    return p;
  }

  /** pixie's DHCP server in `ns`; resolves once it is listening (or has failed to). */
  async serve(ns: string, options: object, opts: { unprivileged?: boolean } = {}): Promise<ServerProc> {
    // unprivileged: as user nobody with no capabilities at all (util-linux setpriv).
    const drop = opts.unprivileged ? ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all'] : [];
    const p = this.spawnIn(ns, [...drop, process.execPath, '--import', 'tsx', HARNESS, JSON.stringify(options)]);
    const lines: PixieEventLine[] = [];
    const waiters = new Set<() => void>();
    let err = '';
    p.stderr!.on('data', (d: Buffer) => void (err += d.toString()));
    createInterface({ input: p.stdout! }).on('line', (l) => {
      lines.push(JSON.parse(l) as PixieEventLine);
      for (const w of waiters) w();
    });
    const waitFor = (pred: (l: PixieEventLine) => boolean, timeoutMs: number) =>
      new Promise<PixieEventLine>((resolve, reject) => {
        const check = () => {
          const hit = lines.find(pred);
          if (!hit) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for a pixie event; got ${JSON.stringify(lines)}; stderr: ${err.slice(-2000)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    await waitFor((l) => l.event === 'ready' || l.event === 'error', 20000);
    return {
      lines,
      stderr: () => err,
      waitFor,
      stop: () =>
        new Promise<void>((resolve) => {
          if (p.exitCode !== null) return resolve();
          p.once('exit', () => resolve());
          p.kill('SIGTERM');
        }),
    };
  }

  /**
   * busybox udhcpc in `ns`: the environment its script saw on `bound`, or
   * null when it got no lease. `args` are extra udhcpc flags.
   */
  async udhcpc(ns: string, args: string[], tries = 2): Promise<Record<string, string> | null> {
    const out = join(this.dir, `env-${ns}-${Date.now()}`);
    const script = join(this.dir, 'udhcpc.sh');
    if (!existsSync(script)) writeFileSync(script, `#!/bin/sh\n[ "$1" = bound ] && env > "$OUT"\nexit 0\n`, { mode: 0o755 });
    const p = spawn('ip', ['netns', 'exec', ns, 'env', `OUT=${out}`, 'timeout', '30', 'busybox', 'udhcpc', '-i', 'eth0', '-f', '-q', '-n', '-t', String(tries), '-T', '1', '-s', script, ...args], {
      stdio: 'ignore',
    });
    this.procs.push(p);
    await new Promise((resolve) => p.once('exit', resolve));
    if (!existsSync(out)) return null;
    const env: Record<string, string> = {};
    for (const line of readFileSync(out, 'utf8').split('\n')) {
      const i = line.indexOf('=');
      if (i > 0) env[line.slice(0, i)] = line.slice(i + 1);
    }
    return env;
  }

  async cleanup(): Promise<void> {
    for (const p of this.procs) {
      if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    }
    await new Promise((r) => setTimeout(r, 200));
    for (const ns of this.namespaces.reverse()) {
      try {
        this.sh('ip', 'netns', 'del', ns);
      } catch {
        // already gone
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** udhcpc flags that make it look like BIOS PXE firmware (vendor class + option 93 = 0). */
export const PXE_CLIENT_ARGS = ['-V', 'PXEClient:Arch:00000:UNDI:002001', '-x', '0x5d:0000'];

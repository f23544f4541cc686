/**
 * Network namespaces, bridges, tap devices and veth links for the e2e lab.
 * Everything lives in namespaces named `pxe2e-<pid>-<seq>…`; the host's own
 * interfaces are never touched.
 */
import { execFileSync } from 'node:child_process';
import { run } from './exec.js';

/** Prefix of every namespace this harness creates. */
export const NS_PREFIX = 'pxe2e';

let seq = 0;

/** A fresh, unique namespace name for this process. */
export function uniqueNsName(suffix = ''): string {
  seq += 1;
  return `${NS_PREFIX}-${process.pid}-${seq}${suffix}`;
}

/** One server-side subnet of the lab: a bridge in the lab namespace. */
export interface LabBridge {
  /** Index given at creation (0, 1, …). */
  index: number;
  /** Interface name inside the lab namespace, e.g. `br0`. */
  name: string;
  /** The server's address on this bridge, e.g. `10.77.0.1`. */
  serverIp: string;
  /** Network prefix length (24). */
  prefixLength: number;
  /** e.g. `10.77.0.0/24`. */
  subnet: string;
  /** IPv6 ULA address of the server on this bridge (for router advertisements). */
  serverIp6: string;
}

/** The IPv4 addressing used for bridge `index`. */
export function bridgePlan(index: number): LabBridge {
  return {
    index,
    name: `br${index}`,
    serverIp: `10.77.${index}.1`,
    prefixLength: 24,
    subnet: `10.77.${index}.0/24`,
    serverIp6: `fd77:${index}::1`,
  };
}

/** `ip -n ns …` */
export async function ipIn(ns: string, args: readonly string[]): Promise<void> {
  await run('ip', ['-n', ns, ...args]);
}

/** Creates a namespace with loopback up. */
export async function createNamespace(name: string): Promise<void> {
  await run('ip', ['netns', 'add', name]);
  await ipIn(name, ['link', 'set', 'lo', 'up']);
}

/** Creates bridge `plan` (with its IPv4 and IPv6 address) inside `ns`. */
export async function createBridge(ns: string, plan: LabBridge): Promise<void> {
  await ipIn(ns, ['link', 'add', plan.name, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
  await ipIn(ns, ['addr', 'add', `${plan.serverIp}/${plan.prefixLength}`, 'dev', plan.name]);
  await ipIn(ns, ['-6', 'addr', 'add', `${plan.serverIp6}/64`, 'dev', plan.name, 'nodad']);
  await ipIn(ns, ['link', 'set', plan.name, 'up']);
}

/** Creates a tap device in `ns` enslaved to `bridge`, ready for QEMU's `-netdev tap`. */
export async function createTap(ns: string, tap: string, bridge: string): Promise<void> {
  await ipIn(ns, ['tuntap', 'add', 'dev', tap, 'mode', 'tap']);
  await ipIn(ns, ['link', 'set', tap, 'master', bridge]);
  await ipIn(ns, ['link', 'set', tap, 'up']);
}

/**
 * Creates namespace `hostNs` ("another host") whose `eth0` is a veth linked to
 * `bridge` in `labNs`, with `ip/prefix` (and optionally an IPv6 address) on it.
 */
export async function createHost(labNs: string, bridge: string, hostNs: string, ipCidr: string, peer: string, ip6Cidr?: string): Promise<void> {
  await createNamespace(hostNs);
  await ipIn(labNs, ['link', 'add', peer, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', hostNs]);
  await ipIn(labNs, ['link', 'set', peer, 'master', bridge]);
  await ipIn(labNs, ['link', 'set', peer, 'up']);
  await ipIn(hostNs, ['addr', 'add', ipCidr, 'dev', 'eth0']);
  if (ip6Cidr) await ipIn(hostNs, ['-6', 'addr', 'add', ip6Cidr, 'dev', 'eth0', 'nodad']);
  await ipIn(hostNs, ['link', 'set', 'eth0', 'up']);
}

/** Deletes a namespace (its interfaces go with it); ignores one already gone. */
export async function deleteNamespace(name: string): Promise<void> {
  await run('ip', ['netns', 'del', name], { allowFail: true });
}

/** Synchronous variant for exit/signal handlers. */
export function deleteNamespaceSync(name: string): void {
  try {
    execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore', timeout: 5000 });
  } catch {
    // already gone
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes namespaces left by harness runs whose process no longer exists
 * (e.g. killed with SIGKILL), killing what still runs inside them. Only names
 * with this harness's prefix are considered.
 */
export async function cleanStaleNamespaces(log: (line: string) => void): Promise<void> {
  const { stdout } = await run('ip', ['netns', 'list'], { allowFail: true });
  for (const line of stdout.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const m = new RegExp(`^${NS_PREFIX}-(\\d+)-`).exec(name);
    if (!m || pidAlive(Number(m[1]))) continue;
    const pids = await run('ip', ['netns', 'pids', name], { allowFail: true });
    for (const pid of pids.stdout.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone
      }
    }
    await deleteNamespace(name);
    log(`removed stale namespace ${name} (owner pid ${m[1] ?? '?'} is gone)`);
  }
}

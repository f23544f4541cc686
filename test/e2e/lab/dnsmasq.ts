/**
 * dnsmasq as the lab's "existing DHCP server" and as the reference boot server
 * (DHCP + TFTP) that pixie is compared with. Runs in the foreground inside the
 * lab namespace, configured only by arguments (`--conf-file=/dev/null`).
 */
import path from 'node:path';
import type { LabBridge } from './netns.js';
import { requireTools } from './exec.js';

export interface DnsmasqOptions {
  bridge: LabBridge;
  /** Folder for the lease file (the lab's scratch dir). */
  stateDir: string;
  /** Address pool, last octets on the bridge's /24; default 100–199. */
  range?: [number, number];
  /** Serve this folder over TFTP (`--enable-tftp`). */
  tftpRoot?: string;
  /**
   * Send IPv6 router advertisements (the bridge has a ULA address). iPXE waits
   * several seconds for IPv6 autoconfiguration when no router answers.
   */
  routerAdvertisements?: boolean;
  /** More dnsmasq arguments (e.g. `--dhcp-boot=…`, `--dhcp-match=…`). */
  extra?: readonly string[];
}

/** Arguments for `dnsmasq` handing out addresses on one bridge (DNS disabled). */
export function dnsmasqArgs(o: DnsmasqOptions): string[] {
  requireTools({ dnsmasq: 'dnsmasq-base' });
  const prefix = o.bridge.serverIp.split('.').slice(0, 3).join('.');
  const [lo, hi] = o.range ?? [100, 199];
  const args = [
    '--no-daemon',
    '--conf-file=/dev/null',
    '--port=0',
    `--interface=${o.bridge.name}`,
    '--bind-interfaces',
    '--except-interface=lo',
    '--user=root',
    '--pid-file',
    '--log-facility=-',
    '--log-dhcp',
    '--no-ping',
    '--dhcp-authoritative',
    `--dhcp-leasefile=${path.join(o.stateDir, `dnsmasq-${o.bridge.name}.leases`)}`,
    `--dhcp-range=${prefix}.${lo},${prefix}.${hi},255.255.255.0,1h`,
  ];
  if (o.tftpRoot) args.push('--enable-tftp', `--tftp-root=${o.tftpRoot}`);
  if (o.routerAdvertisements) args.push('--enable-ra', `--dhcp-range=::,constructor:${o.bridge.name},ra-only`);
  args.push(...(o.extra ?? []));
  return args;
}

/** dnsmasq's log line once its sockets are open. */
export const DNSMASQ_READY = /dnsmasq\[\d+\]: started, version/;

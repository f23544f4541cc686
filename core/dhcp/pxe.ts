/**
 * PXE / iPXE / UEFI HTTP Boot logic, as pure functions: which requests come
 * from boot firmware (and which stage), and what a proxyDHCP reply to them
 * holds. References: PXE 2.1 §2.2 (proxyDHCP), RFC 4578 (options 93/94/97),
 * UEFI 2.x §24.7 (HTTP Boot: vendor class `HTTPClient`, URL as boot file).
 */
import { macFromBytes, type BootStage, type Machine } from '../boot/machine.js';
import type { DhcpRequestInfo } from '../hooks.js';
import { archCodeFromVendorClass, archFromCode, type ArchInfo } from './arch.js';
import { Opt, MessageType, messageTypeName, machineUuid, optString, optU16, optU8, strBytes, ipBytes, userClasses } from './options.js';
import { BootOp, BROADCAST_FLAG, clientMac, type DhcpPacket } from './packet.js';
import { IPXE_FEATURES, ipxeFeatures } from './ipxe-features.js';
import { bootUrls } from './urls.js';

export type Classification =
  | { kind: 'boot'; machine: Machine; request: DhcpRequestInfo; archInfo: ArchInfo }
  /** Not network-boot firmware (a plain OS DHCP client, a BOOTP packet, …): stay silent. */
  | { kind: 'not-boot-client'; reason: string }
  /** Boot firmware pixie cannot serve (unknown or missing architecture). */
  | { kind: 'unsupported'; mac: string; reason: string; archCode?: number | undefined };

export interface RequestContext {
  /** UDP port the request arrived on (67 or 4011). */
  port: number;
  interface?: string | undefined;
  serverAddress?: string | undefined;
}

/** Which boot stage sent this, from options 60, 77 and 175. */
function stageOf(vendorClass: string | undefined, isIpxe: boolean, archInfo: ArchInfo | undefined): BootStage | undefined {
  if (isIpxe) return 'ipxe';
  if (vendorClass?.startsWith('HTTPClient')) return 'http';
  if (vendorClass?.startsWith('PXEClient')) return archInfo?.httpBoot ? 'http' : 'pxe';
  return undefined;
}

/** iPXE's HTTP feature flag from option 175; undefined when 175 is absent or unreadable. */
function ipxeHasHttp(options: ReadonlyMap<number, Uint8Array>): boolean | undefined {
  return ipxeFeatures(options)?.has(IPXE_FEATURES.http);
}

/**
 * Decide whether a decoded request comes from network-boot firmware and, if
 * so, describe the machine. Silent for everything that is not a BOOTREQUEST
 * from PXEClient/HTTPClient/iPXE.
 */
export function classifyRequest(p: DhcpPacket, ctx: RequestContext): Classification {
  if (p.op !== BootOp.Request) return { kind: 'not-boot-client', reason: `op ${p.op} is not a request` };
  const macBytes = clientMac(p);
  if (!macBytes) return { kind: 'not-boot-client', reason: `hardware type ${p.htype}/${p.hlen} is not Ethernet` };
  const mac = macFromBytes(macBytes);
  const o = p.options;
  const vendorClass = optString(o, Opt.VendorClass);
  const userClass = optString(o, Opt.UserClass);
  const isIpxe = userClasses(o).includes('iPXE') || o.has(Opt.IpxeEncap);
  const bootVendor = vendorClass?.startsWith('PXEClient') || vendorClass?.startsWith('HTTPClient');
  if (!bootVendor && !isIpxe) {
    return { kind: 'not-boot-client', reason: vendorClass ? `vendor class "${vendorClass}"` : 'no vendor class' };
  }

  const archCode = optU16(o, Opt.ClientArch) ?? archCodeFromVendorClass(vendorClass);
  if (archCode === undefined) return { kind: 'unsupported', mac, reason: 'no client architecture (option 93)' };
  const archInfo = archFromCode(archCode);
  if (!archInfo) return { kind: 'unsupported', mac, reason: `unknown client architecture ${archCode}`, archCode };
  const stage = stageOf(vendorClass, isIpxe, archInfo) ?? 'pxe';

  const machine: Machine = {
    mac,
    arch: archInfo.arch,
    firmware: archInfo.firmware,
    stage,
    archCode,
    ipxeHttp: stage === 'ipxe' ? ipxeHasHttp(o) : undefined,
    uuid: machineUuid(o),
    interface: ctx.interface,
    serverAddress: ctx.serverAddress,
  };
  const request: DhcpRequestInfo = {
    messageType: messageTypeName(optU8(o, Opt.MessageType)),
    port: ctx.port,
    vendorClass,
    userClass,
    relayAddress: p.giaddr === '0.0.0.0' ? undefined : p.giaddr,
    options: o,
  };
  return { kind: 'boot', machine, request, archInfo };
}

export type BootFileResult = { ok: true; bootFile: string } | { ok: false; reason: string };

/**
 * The boot file for a machine's stage:
 * - `pxe`: the iPXE binary's name, fetched over TFTP from siaddr;
 * - `http`: the iPXE binary as an http:// URL (UEFI HTTP Boot);
 * - `ipxe`: the machine's iPXE script URL (no chainload loop) — unless the
 *   running iPXE lacks features pixie needs (`ipxeMissing`, from
 *   `missingIpxeFeatures`): then pixie's own iPXE binary for that machine
 *   (`ipxe.pxe` on BIOS, as Pixiecore does for iPXE ROMs) over TFTP. That
 *   build has the features, so its own request gets the script.
 */
export function bootFileFor(
  machine: Machine,
  serverAddress: string,
  httpPort: number,
  firmwareFile: (m: Machine) => string | undefined,
  ipxeMissing: readonly string[] = [],
): BootFileResult {
  const urls = bootUrls(serverAddress, httpPort);
  if (machine.stage === 'ipxe') {
    if (ipxeMissing.length === 0) return { ok: true, bootFile: urls.ipxeScript(machine) };
    const name = firmwareFile(machine);
    if (!name) return { ok: false, reason: `this iPXE lacks ${ipxeMissing.join(', ')} (option 175) and no iPXE binary is configured to chainload for ${machine.firmware} ${machine.arch}` };
    return { ok: true, bootFile: name };
  }
  const name = firmwareFile(machine);
  if (!name) return { ok: false, reason: `no iPXE binary configured for ${machine.firmware} ${machine.arch}` };
  return { ok: true, bootFile: machine.stage === 'http' ? urls.firmware(name) : name };
}

/** PXE vendor options (option 43): sub-option 6 DISCOVERY_CONTROL = 8, "use the boot file, skip discovery". */
const PXE_SKIP_DISCOVERY = Uint8Array.of(6, 1, 8, Opt.End);

export interface ReplyParams {
  /** The pixie address on the interface the request came in on. */
  serverAddress: string;
  bootFile: string;
  type: 'offer' | 'ack';
}

/**
 * Build the proxyDHCP OFFER (port 67) or ACK (67 or 4011): no address
 * (yiaddr 0), siaddr/option 54 = our address, vendor class echoing the
 * client's kind, option 97 echoed, and the boot file. BIOS firmware also gets
 * option 43 telling it to skip boot server discovery (as Pixiecore does);
 * UEFI gets none, so ROMs that ignore such offers ask on 4011 instead.
 */
export function buildReply(req: DhcpPacket, machine: Machine, params: ReplyParams): DhcpPacket {
  const options = new Map<number, Uint8Array>();
  options.set(Opt.MessageType, Uint8Array.of(params.type === 'offer' ? MessageType.Offer : MessageType.Ack));
  const server = ipBytes(params.serverAddress) ?? new Uint8Array(4);
  options.set(Opt.ServerId, server);
  options.set(Opt.VendorClass, strBytes(machine.stage === 'http' ? 'HTTPClient' : 'PXEClient'));
  const guid = req.options.get(Opt.ClientMachineId);
  if (guid) options.set(Opt.ClientMachineId, guid);
  if (machine.firmware === 'bios') options.set(Opt.VendorSpecific, PXE_SKIP_DISCOVERY);
  // The file field holds 127 characters plus NUL; longer names also go in option 67.
  if (params.bootFile.length > 127) options.set(Opt.BootFileName, strBytes(params.bootFile));
  // A bare file name is fetched over TFTP from sname/siaddr; URLs carry their server.
  const tftp = !params.bootFile.includes('://');
  return {
    op: BootOp.Reply,
    htype: req.htype,
    hlen: req.hlen,
    hops: 0,
    xid: req.xid,
    secs: 0,
    flags: req.giaddr === '0.0.0.0' && params.type === 'offer' ? req.flags | BROADCAST_FLAG : req.flags,
    ciaddr: params.type === 'ack' ? req.ciaddr : '0.0.0.0',
    yiaddr: '0.0.0.0',
    siaddr: params.serverAddress,
    giaddr: req.giaddr,
    chaddr: req.chaddr,
    sname: tftp ? params.serverAddress : '',
    file: params.bootFile.length > 127 ? '' : params.bootFile,
    options,
  };
}

export interface Destination {
  address: string;
  port: number;
  /** Sent to the limited broadcast address: must leave by the interface it came in on. */
  broadcast: boolean;
}

/**
 * Where a reply goes (RFC 2131 §4.1): to the relay (giaddr:67) when relayed;
 * on 4011 back to the sender; to ciaddr:68 when the client has an address;
 * otherwise broadcast to 255.255.255.255:68.
 */
export function replyDestination(req: DhcpPacket, port: number, remote: { address: string; port: number }): Destination {
  if (req.giaddr !== '0.0.0.0') return { address: req.giaddr, port: 67, broadcast: false };
  if (port !== 67 && remote.address !== '0.0.0.0') return { address: remote.address, port: remote.port, broadcast: false };
  if (req.ciaddr !== '0.0.0.0') return { address: req.ciaddr, port: 68, broadcast: false };
  return { address: '255.255.255.255', port: 68, broadcast: true };
}

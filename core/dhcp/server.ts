/**
 * proxyDHCP server (UDP 67) and PXE boot server (UDP 4011). Answers only
 * network-boot firmware, only after the core's `shouldBoot` said yes, and
 * always names the address of the interface the request came in on.
 */
import os from 'node:os';
import type { Logger } from 'pino';
import type { Machine } from '../boot/machine.js';
import { PixieError } from '../errors.js';
import type { PixieEmitter } from '../events.js';
import type { DhcpRequestInfo } from '../hooks.js';
import { MessageType, Opt, optIp, optU8 } from './options.js';
import { decodePacket, encodePacket } from './packet.js';
import { bootFileFor, buildReply, classifyRequest, replyDestination, type Destination } from './pxe.js';
import { missingIpxeFeatures, type IpxeFeature } from './ipxe-features.js';
import { nativeNet, openDgram, openNative, type DhcpSocket, type Received } from './socket.js';

export interface DhcpServerOptions {
  /** '0.0.0.0' (default) serves every interface; a specific address restricts to that interface. */
  listenAddr: string;
  dhcpPort: number;
  pxePort: number;
  /** --dhcp-no-bind: receive port-67 traffic on a raw socket instead of binding the port. */
  noBind: boolean;
  /** pixie's HTTP port, for URLs. */
  httpPort: number;
  log: Logger;
  events: PixieEmitter;
  /** Core callback: runs dhcp:discover + boot:decide (cached). true => answer, false => stay silent. */
  shouldBoot(machine: Machine, request: DhcpRequestInfo): Promise<boolean>;
  /** iPXE binary name for a firmware-stage machine (or an iPXE to chainload); undefined => no binary, log and ignore. */
  firmwareFile(machine: Machine): string | undefined;
  /**
   * Features a running iPXE must list in option 175 (besides `http`, always
   * required) to get its script; one lacking any is chainloaded into pixie's iPXE.
   */
  ipxeRequire?: readonly IpxeFeature[] | undefined;
}

/** Counters, for the status page and tests. */
export interface DhcpStats {
  received: number;
  malformed: number;
  ignored: number;
  replies: number;
}

export interface PacketMeta {
  port: number;
  interface?: string;
  serverAddress: string;
  remote: { address: string; port: number };
}

export interface DhcpServer {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Process one request as if it arrived on `meta.port`; the encoded reply, or null for silence. */
  handle(packet: Buffer, meta: PacketMeta): Promise<Buffer | null>;
  readonly stats: Readonly<DhcpStats>;
}

/** Unknown architectures are reported once per MAC; the set is bounded. */
const MAX_REMEMBERED = 4096;

export function createDhcpServer(opts: DhcpServerOptions): DhcpServer {
  const log = opts.log;
  const stats: DhcpStats = { received: 0, malformed: 0, ignored: 0, replies: 0 };
  const reported = new Set<string>();
  const sockets: DhcpSocket[] = [];
  const ifNames = new Map<number, string>();

  function reportOnce(key: string, msg: string, fields: object): void {
    if (reported.has(key)) return log.debug(fields, msg);
    if (reported.size >= MAX_REMEMBERED) reported.clear();
    reported.add(key);
    log.warn(fields, msg);
  }

  async function processPacket(packet: Buffer, meta: PacketMeta): Promise<{ reply: Buffer; dest: Destination } | null> {
    stats.received++;
    const decoded = decodePacket(packet);
    if (!decoded.ok) {
      stats.malformed++;
      log.debug({ from: meta.remote.address, port: meta.port, error: decoded.error.code }, `dropped malformed DHCP packet: ${decoded.error.message}`);
      return null;
    }
    const req = decoded.packet;
    const type = optU8(req.options, Opt.MessageType);
    const onPxePort = meta.port !== opts.dhcpPort;
    // Port 4011: REQUEST/DISCOVER/INFORM. Port 67: DISCOVER, or a REQUEST that selects our
    // proxy offer. The server id alone cannot tell: a DHCP server on the same host
    // (--dhcp-no-bind) has our address too. A client selecting a proxy offer asks for no
    // address (option 50 absent or 0.0.0.0, no ciaddr); one taking a lease always asks for one.
    const requested = optIp(req.options, Opt.RequestedIp);
    const selectsProxyOffer =
      type === MessageType.Request &&
      optIp(req.options, Opt.ServerId) === meta.serverAddress &&
      (requested === undefined || requested === '0.0.0.0') &&
      req.ciaddr === '0.0.0.0';
    const wanted = onPxePort
      ? type === MessageType.Request || type === MessageType.Discover || type === MessageType.Inform
      : type === MessageType.Discover || selectsProxyOffer;
    if (!wanted) return null;

    const c = classifyRequest(req, { port: meta.port, interface: meta.interface, serverAddress: meta.serverAddress });
    if (c.kind === 'not-boot-client') {
      log.debug({ port: meta.port, reason: c.reason }, 'not a network-boot client, staying silent');
      return null;
    }
    if (c.kind === 'unsupported') {
      stats.ignored++;
      reportOnce(`${c.mac}/${c.archCode ?? '-'}`, `ignoring ${c.mac}: ${c.reason}`, { mac: c.mac, archCode: c.archCode });
      opts.events.emit('boot:ignored', { machine: { mac: c.mac }, reason: c.reason });
      return null;
    }
    const { machine, request } = c;
    const fields = { mac: machine.mac, arch: machine.arch, firmware: machine.firmware, stage: machine.stage, port: meta.port };
    opts.events.emit('dhcp:discover', { machine, port: meta.port, messageType: request.messageType });

    let yes: boolean;
    try {
      yes = await opts.shouldBoot(machine, request);
    } catch (e) {
      log.error({ ...fields, err: e }, `deciding whether to boot ${machine.mac} failed; staying silent`);
      yes = false;
    }
    if (!yes) {
      stats.ignored++;
      log.debug(fields, `${machine.mac}: no plugin boots this machine, staying silent`);
      opts.events.emit('boot:ignored', { machine, reason: 'no boot spec' });
      return null;
    }
    const missing = machine.stage === 'ipxe' ? missingIpxeFeatures(request.options, opts.ipxeRequire ?? []) : [];
    const file = bootFileFor(machine, meta.serverAddress, opts.httpPort, (m) => opts.firmwareFile(m), missing);
    if (!file.ok) {
      stats.ignored++;
      reportOnce(`${machine.mac}/file/${machine.archCode ?? '-'}`, `ignoring ${machine.mac}: ${file.reason}`, fields);
      opts.events.emit('boot:ignored', { machine, reason: file.reason });
      return null;
    }
    const replyType = type === MessageType.Discover && !onPxePort ? 'offer' : 'ack';
    const reply = buildReply(req, machine, { serverAddress: meta.serverAddress, bootFile: file.bootFile, type: replyType });
    stats.replies++;
    const chainload = missing.length > 0 ? { ipxeMissing: missing } : {};
    log.debug(
      { ...fields, ...chainload, bootFile: file.bootFile, serverAddress: meta.serverAddress },
      `${replyType} to ${machine.mac}${missing.length > 0 ? `: its iPXE lacks ${missing.join(', ')}, chainloading ${file.bootFile}` : ''}`,
    );
    opts.events.emit('dhcp:offer', { machine, port: meta.port, bootFile: file.bootFile, serverAddress: meta.serverAddress });
    return { reply: encodePacket(reply), dest: replyDestination(req, meta.port, meta.remote) };
  }

  async function safeProcess(packet: Buffer, meta: PacketMeta) {
    try {
      return await processPacket(packet, meta);
    } catch (e) {
      // Nothing a packet contains may take the server down.
      log.error({ err: e, port: meta.port }, 'unexpected error while handling a DHCP packet');
      return null;
    }
  }

  /** For --listen-addr: the interface that holds it (undefined = all interfaces). */
  function listenInterface(): string | undefined {
    if (opts.listenAddr === '0.0.0.0') return undefined;
    for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
      if (addrs?.some((a) => a.family === 'IPv4' && a.address === opts.listenAddr)) return name;
    }
    throw new PixieError('PIXIE_ERR_BIND', `--listen-addr ${opts.listenAddr} is not an address of this host`);
  }

  function bindError(port: number, e: unknown): PixieError {
    const code = (e as { code?: string }).code;
    const raw = port === opts.dhcpPort && opts.noBind;
    const what = raw ? 'open a raw socket for DHCP (--dhcp-no-bind)' : `listen on UDP port ${port}`;
    let fix: string;
    if (code === 'EADDRINUSE') fix = `another program (a DHCP server?) owns port ${port}; use --dhcp-no-bind to run next to it`;
    else if (raw) fix = 'run pixie as root, or grant CAP_NET_RAW (raw socket for port 67) and CAP_NET_BIND_SERVICE (port 4011)';
    else fix = 'run pixie as root or grant CAP_NET_BIND_SERVICE; next to a DHCP server on this host, use --dhcp-no-bind';
    return new PixieError('PIXIE_ERR_BIND', `cannot ${what}: ${e instanceof Error ? e.message : String(e)}. Fix: ${fix}`, { cause: e });
  }

  function onReceived(sock: () => DhcpSocket | undefined, port: number, only: string | undefined, fallbackAddr?: string) {
    return (msg: Received) => {
      const net = nativeNet().net;
      let iface = ifNames.get(msg.ifindex);
      if (iface === undefined && net && msg.ifindex > 0) {
        iface = net.ifName(msg.ifindex) ?? '';
        ifNames.set(msg.ifindex, iface);
      }
      if (only !== undefined && iface !== only) return;
      const serverAddress = only !== undefined ? opts.listenAddr : msg.local || fallbackAddr || '';
      if (!serverAddress) {
        log.debug({ ifindex: msg.ifindex }, 'request arrived on an interface without an IPv4 address; ignored');
        return;
      }
      const meta: PacketMeta = { port, serverAddress, remote: { address: msg.address, port: msg.port } };
      if (iface) meta.interface = iface;
      void safeProcess(msg.data, meta).then((r) => {
        if (!r) return;
        try {
          sock()?.send(r.reply, { address: r.dest.address, port: r.dest.port, ifindex: r.dest.broadcast ? msg.ifindex : 0, source: serverAddress });
        } catch (e) {
          log.warn({ err: e, to: r.dest.address }, `sending a DHCP reply to ${r.dest.address}:${r.dest.port} failed`);
        }
      });
    };
  }

  async function openPort(port: number, raw: boolean, only: string | undefined): Promise<DhcpSocket> {
    let sock: DhcpSocket | undefined;
    const onError = (e: Error) => log.warn({ err: e, port }, `DHCP socket error on port ${port}: ${e.message}`);
    const { net, error } = nativeNet();
    try {
      if (net) {
        sock = openNative(net, { address: '0.0.0.0', port, raw, onMessage: onReceived(() => sock, port, only), onError });
      } else {
        if (raw) throw new PixieError('PIXIE_ERR_BIND', `--dhcp-no-bind needs the native socket addon: ${error}`);
        const local = only !== undefined ? opts.listenAddr : firstAddress();
        log.warn(`${error}; falling back to plain UDP sockets: replies name ${local}, so multi-homed hosts need the addon`);
        sock = await openDgram({ address: '0.0.0.0', port, raw: false, local, onMessage: onReceived(() => sock, port, undefined, local), onError });
      }
    } catch (e) {
      throw e instanceof PixieError ? e : bindError(port, e);
    }
    return sock;
  }

  return {
    stats,
    handle: async (packet, meta) => (await safeProcess(packet, meta))?.reply ?? null,
    async start() {
      const only = listenInterface();
      try {
        sockets.push(await openPort(opts.dhcpPort, opts.noBind, only));
        sockets.push(await openPort(opts.pxePort, false, only));
      } catch (e) {
        for (const s of sockets.splice(0)) s.close();
        throw e;
      }
      log.info(
        { listenAddr: opts.listenAddr, dhcpPort: opts.dhcpPort, pxePort: opts.pxePort, noBind: opts.noBind },
        `proxyDHCP on UDP ${opts.dhcpPort}${opts.noBind ? ' (raw socket, port not bound)' : ''}, PXE boot server on UDP ${opts.pxePort}`,
      );
    },
    stop() {
      for (const s of sockets.splice(0)) s.close();
      return Promise.resolve();
    },
  };
}

/** The first non-internal IPv4 address (dgram fallback only). */
function firstAddress(): string {
  for (const addrs of Object.values(os.networkInterfaces())) {
    const a = addrs?.find((x) => x.family === 'IPv4' && !x.internal);
    if (a) return a.address;
  }
  return '127.0.0.1';
}
